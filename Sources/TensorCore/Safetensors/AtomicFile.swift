#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new
/// one, never a torn or half-written checkpoint (which matters because
/// readers mmap checkpoints, and a crash mid-save must not destroy the last
/// good one): write a temporary file in the same directory, fsync it, rename
/// it over the target, then fsync the directory so the rename is durable.
enum AtomicFile {
    /// `produce` receives a sink that appends bytes to the temporary file.
    static func write(to path: String, _ produce: (_ sink: (UnsafeRawBufferPointer) throws(SafetensorsError) -> Void) throws(SafetensorsError) -> Void) throws(SafetensorsError) {
        let directory = directoryName(of: path)
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard !base.isEmpty, base != ".", base != ".." else {
            throw SafetensorsError(.io, file: path, "not a file path")
        }
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            temporary = (path.contains("/") ? directory + "/" : "")
                + ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw MappedFile.ioError("cannot create a temporary file in \(directory)", path) }
        var closed = false
        var renamed = false
        defer {
            if !closed { close(fd) }
            if !renamed { unlink(temporary) }
        }
        let sink = { (chunk: UnsafeRawBufferPointer) throws(SafetensorsError) -> Void in
            var offset = 0
            while offset < chunk.count {
                let n = posixWrite(fd, chunk.baseAddress! + offset, chunk.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw MappedFile.ioError("write failed", path)
                }
                offset += n
            }
        }
        try produce(sink)
        guard fsync(fd) == 0 else { throw MappedFile.ioError("fsync failed", path) }
        closed = true
        guard close(fd) == 0 else { throw MappedFile.ioError("close failed", path) }
        guard rename(temporary, path) == 0 else { throw MappedFile.ioError("cannot rename the temporary file into place", path) }
        renamed = true
        // Make the rename itself durable; failure here loses nothing already written.
        let dirfd = open(directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }

    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }
}

/// `write(2)`, named apart from the `write` methods around it.
@inline(__always)
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}
