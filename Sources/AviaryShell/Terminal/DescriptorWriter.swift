#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to standard output and error. C's `stdout` is shared mutable state that Swift 6
/// rightly refuses to touch from several threads; a `write(2)` of a whole piece of text needs no buffer to
/// share, and reaches the terminal at once, in order with libedit's own (flushed) output.
enum DescriptorWriter {
    static func write(_ text: String, to channel: OutputChannel) {
        write(text, descriptor: channel == .standard ? 1 : 2)
    }

    static func write(_ text: String, descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return  // a closed pipe: nobody reads the output any more
            }
            offset += written
        }
    }
}

private func systemWrite(_ descriptor: Int32, _ pointer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
