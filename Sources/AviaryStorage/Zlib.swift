internal import CZlib
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Adler-32, as `java.util.zip.Adler32` computes it (the checksum of log records and snapshot seals), updated
/// incrementally.
struct Adler32 {
    private(set) var value: UInt32 = 1

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while let base = rest.baseAddress, !rest.isEmpty {
            let chunk = min(rest.count, 1 << 30)
            value = UInt32(
                truncatingIfNeeded: adler32(uLong(value), base.assumingMemoryBound(to: Bytef.self), uInt(chunk)))
            rest = UnsafeRawBufferPointer(rebasing: rest[chunk...])
        }
    }

    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { update($0) }
    }

    static func checksum(_ buffer: ByteBuffer) -> UInt32 {
        var adler = Adler32()
        adler.update(buffer)
        return adler.value
    }
}

/// A gzip stream that did not decode.
struct GzipError: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// Streaming gzip compression (RFC 1952, as `java.util.zip.GZIPOutputStream` writes and reads it).
final class GzipEncoder {
    // zlib keeps a pointer back to its z_stream and checks it, so the stream lives at one fixed address.
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    static let fastestLevel = Z_BEST_SPEED

    init(level: Int32 = Z_DEFAULT_COMPRESSION) throws {
        stream.initialize(to: z_stream())
        let code = aviary_deflate_init_gzip(stream, level)
        guard code == Z_OK else {
            stream.deallocate()
            throw GzipError(reason: "deflateInit failed with \(code)")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`, handing compressed bytes to `emit` as they come; `finish` ends the stream.
    func compress(_ input: UnsafeRawBufferPointer, finish: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(input.count <= Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            let (code, produced) = output.withUnsafeMutableBytes { space -> (Int32, Int) in
                stream.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(space.count)
                let code = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                return (code, space.count - Int(stream.pointee.avail_out))
            }
            guard code == Z_OK || code == Z_STREAM_END || code == Z_BUF_ERROR else {
                throw GzipError(reason: "deflate failed with \(code)")
            }
            if produced > 0 {
                try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            let outputFull = produced == output.count
            if finish ? code == Z_STREAM_END : (!outputFull && stream.pointee.avail_in == 0) { break }
        }
    }

    func compress(_ buffer: ByteBuffer, finish: Bool, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        try buffer.withUnsafeReadableBytes { try compress($0, finish: finish, emit: emit) }
    }
}

/// Streaming gzip decompression. Several members in a row decode as one stream, as `GZIPInputStream` reads them.
final class GzipDecoder {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var output = [UInt8](repeating: 0, count: 256 * 1024)
    /// True between members and at the start: the input may end cleanly here.
    private(set) var atMemberBoundary = true

    init() throws {
        stream.initialize(to: z_stream())
        let code = aviary_inflate_init_gzip(stream)
        guard code == Z_OK else {
            stream.deallocate()
            throw GzipError(reason: "inflateInit failed with \(code)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses all of `input`, handing decompressed bytes to `emit`.
    func decompress(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        precondition(input.count <= Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        var outputFull = false
        // zlib may hold decompressed bytes back when the output space fills: go on until it has room to spare.
        while stream.pointee.avail_in > 0 || outputFull {
            if stream.pointee.avail_in > 0 { atMemberBoundary = false }
            let (code, produced) = output.withUnsafeMutableBytes { space -> (Int32, Int) in
                stream.pointee.next_out = space.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(space.count)
                let code = inflate(stream, Z_NO_FLUSH)
                return (code, space.count - Int(stream.pointee.avail_out))
            }
            if produced > 0 {
                try output.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[..<produced])) }
            }
            outputFull = produced == output.count
            switch code {
            case Z_STREAM_END:
                atMemberBoundary = true
                inflateReset(stream)
            case Z_OK, Z_BUF_ERROR:
                continue
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "code \(code)"
                throw GzipError(reason: "gzip data does not decode: \(message)")
            }
        }
    }
}

extension GzipDecoder {
    /// The whole decompressed contents of a gzip file.
    static func decompressFile(_ path: String) throws -> ByteBuffer {
        var source = try GzipFileSource(path: path)
        defer { source.close() }
        var buffer = ByteBufferAllocator().buffer(capacity: 1 << 20)
        while try source.read(into: &buffer) > 0 {}
        return buffer
    }
}

/// A sequential reader of a file's bytes, raw or decompressed.
protocol ByteSource {
    /// Appends the next bytes to `buffer` and returns how many; 0 means the end.
    mutating func read(into buffer: inout ByteBuffer) throws -> Int
    func close()
}

struct RawFileSource: ByteSource {
    let file: OpenFile
    private var offset: Int64 = 0
    let chunkBytes: Int

    init(path: String, chunkBytes: Int = 1 << 20) throws {
        file = try OpenFile.open(path, flags: O_RDONLY)
        self.chunkBytes = chunkBytes
    }

    mutating func read(into buffer: inout ByteBuffer) throws -> Int {
        let count = try file.read(count: chunkBytes, at: offset, appendingTo: &buffer)
        offset += Int64(count)
        return count
    }

    func close() { file.close() }
}

struct GzipFileSource: ByteSource {
    let file: OpenFile
    private let decoder: GzipDecoder
    private var offset: Int64 = 0
    private var compressed = ByteBufferAllocator().buffer(capacity: 64 * 1024)

    init(path: String) throws {
        file = try OpenFile.open(path, flags: O_RDONLY)
        do {
            decoder = try GzipDecoder()
        } catch {
            file.close()
            throw error
        }
    }

    mutating func read(into buffer: inout ByteBuffer) throws -> Int {
        var produced = 0
        while produced == 0 {
            compressed.clear()
            let count = try file.read(count: 64 * 1024, at: offset, appendingTo: &compressed)
            if count == 0 {
                guard decoder.atMemberBoundary else { throw GzipError(reason: "gzip data ends early") }
                return 0
            }
            offset += Int64(count)
            try compressed.withUnsafeReadableBytes { input in
                try decoder.decompress(input) { output in
                    buffer.writeBytes(output)
                    produced += output.count
                }
            }
        }
        return produced
    }

    func close() { file.close() }
}
