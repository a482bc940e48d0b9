import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system calls storage needs, with errno turned into a `StorageError` that names the path. Plain POSIX, no
/// Foundation: the writer's append and sync path runs through here.
enum SystemCall {
    static func error(_ operation: String, _ path: String, _ code: Int32 = errno) -> StorageError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path) }
        return .io(path: path, operation: operation, errno: code)
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Runs `call` again while it fails with EINTR.
    static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }
}

/// An open file descriptor. Whoever opened it closes it; it is not shared between threads.
struct OpenFile {
    let descriptor: Int32
    let path: String

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> OpenFile {
        let descriptor = SystemCall.retrying { posixOpen(path, flags | O_CLOEXEC, mode) }
        guard descriptor >= 0 else { throw SystemCall.error("open", path) }
        return OpenFile(descriptor: descriptor, path: path)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let written = SystemCall.retrying {
                pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            guard written > 0 else { throw SystemCall.error("write", path) }
            done += written
        }
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) throws {
        try buffer.withUnsafeReadableBytes { try write($0, at: offset) }
    }

    /// Reads up to `into.count` bytes; fewer only at the end of the file.
    func read(into bytes: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < bytes.count {
            let count = SystemCall.retrying {
                pread(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            }
            guard count >= 0 else { throw SystemCall.error("read", path) }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Appends up to `count` bytes read at `offset` to `buffer`; returns how many were read (0 at the end).
    func read(count: Int, at offset: Int64, appendingTo buffer: inout ByteBuffer) throws -> Int {
        buffer.reserveCapacity(minimumWritableBytes: count)
        return try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
            try read(into: UnsafeMutableRawBufferPointer(rebasing: space[..<count]), at: offset)
        }
    }

    func size() throws -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SystemCall.error("stat", path) }
        return Int64(status.st_size)
    }

    func truncate(to size: Int64) throws {
        guard SystemCall.retrying({ ftruncate(descriptor, off_t(size)) }) == 0 else {
            throw SystemCall.error("truncate", path)
        }
    }

    /// Makes the file `size` bytes long, reading as zeros past the old end. On Linux the blocks are allocated, so
    /// a full disk shows up here rather than in a later write, and `fdatasync` has no size change to record.
    func allocate(upTo size: Int64) throws {
        #if os(Linux)
            let current = try self.size()
            guard size > current else { return }
            let result = posix_fallocate(descriptor, off_t(current), off_t(size - current))
            if result == 0 { return }
            // Filesystems without fallocate support: a sparse extension still reads as zeros.
            guard result == EOPNOTSUPP || result == EINVAL else { throw SystemCall.error("fallocate", path, result) }
        #endif
        try truncate(to: size)
    }

    /// fdatasync: the data and the metadata needed to read it back.
    func syncData() throws {
        #if os(Linux)
            let result = SystemCall.retrying { fdatasync(descriptor) }
        #else
            let result = SystemCall.retrying { fsync(descriptor) }
        #endif
        guard result == 0 else { throw SystemCall.error("fdatasync", path) }
    }

    func sync() throws {
        guard SystemCall.retrying({ fsync(descriptor) }) == 0 else { throw SystemCall.error("fsync", path) }
    }

    func close() {
        _ = posixClose(descriptor)
    }
}

#if canImport(Glibc)
    private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Glibc.open(path, flags, mode) }
    private func posixClose(_ descriptor: Int32) -> Int32 { Glibc.close(descriptor) }
#else
    private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { Darwin.open(path, flags, mode) }
    private func posixClose(_ descriptor: Int32) -> Int32 { Darwin.close(descriptor) }
#endif

/// Directory and whole-file operations.
enum FileSystem {
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    static func fileSize(_ path: String) throws -> Int64 {
        var status = stat()
        guard stat(path, &status) == 0 else { throw SystemCall.error("stat", path) }
        return Int64(status.st_size)
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw SystemCall.error("mkdir", prefix) }
            prefix += "/"
        }
    }

    /// The names in a directory, sorted (readdir order is the filesystem's, not ours).
    static func list(_ directory: String) throws -> [String] {
        guard let handle = opendir(directory) else { throw SystemCall.error("opendir", directory) }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else { throw SystemCall.error("unlink", path) }
    }

    static func rename(_ source: String, to destination: String) throws {
        guard SystemCall.retrying({ posixRename(source, destination) }) == 0 else {
            throw SystemCall.error("rename", source)
        }
    }

    /// fsync on the directory, so that a created, renamed or removed entry survives a crash.
    static func syncDirectory(_ path: String) throws {
        let directory = try OpenFile.open(path, flags: O_RDONLY)
        defer { directory.close() }
        try directory.sync()
    }

    static func readFile(_ path: String) throws -> ByteBuffer {
        let file = try OpenFile.open(path, flags: O_RDONLY)
        defer { file.close() }
        let size = Int(try file.size())
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        var offset: Int64 = 0
        while true {
            let count = try file.read(count: max(size - Int(offset), 64 * 1024), at: offset, appendingTo: &buffer)
            if count == 0 { break }
            offset += Int64(count)
        }
        return buffer
    }

    /// Writes a small file so that a crash leaves either the old or the new contents: a temporary file in the
    /// same directory, fsynced, renamed over the target, then the directory fsynced.
    static func writeAtomically(_ path: String, temporaryPath: String, bytes: [UInt8]) throws {
        let file = try OpenFile.open(temporaryPath, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try bytes.withUnsafeBytes { try file.write($0, at: 0) }
            try file.sync()
            file.close()
        } catch {
            file.close()
            try? remove(temporaryPath)
            throw error
        }
        try rename(temporaryPath, to: path)
        try syncDirectory(directory(of: path))
    }
}

#if canImport(Glibc)
    private func posixRename(_ source: String, _ destination: String) -> Int32 { Glibc.rename(source, destination) }
#else
    private func posixRename(_ source: String, _ destination: String) -> Int32 { Darwin.rename(source, destination) }
#endif
