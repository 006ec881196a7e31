#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes of a whole file, memory-mapped so that opening a
/// multi-gigabyte checkpoint costs nothing until tensors are touched, or held
/// in memory (for tests and fuzzing). Unmapped / freed in deinit.
///
/// Immutable after init and only ever read, hence `@unchecked Sendable`.
/// Caveat inherent to mmap: if another process truncates the file while it
/// is mapped, touching the lost pages raises SIGBUS. Checkpoints are written
/// atomically (temporary file + rename), which never truncates a mapped file.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let count: Int
    private let isMapped: Bool

    /// Maps `path` read-only. An empty file maps to an empty buffer.
    init(path: String) throws(SafetensorsError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("cannot open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Self.ioError("cannot stat", path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafetensorsError(.io, file: path, "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            base = nil
            count = 0
            isMapped = false
            return
        }
        let pointer = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != MAP_FAILED else { throw Self.ioError("cannot mmap", path) }
        base = UnsafeRawPointer(pointer)
        count = size
        isMapped = true
    }

    /// Copies `bytes` into memory owned by this object.
    init(bytes: [UInt8]) {
        count = bytes.count
        isMapped = false
        if bytes.isEmpty {
            base = nil
        } else {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            base = UnsafeRawPointer(buffer)
        }
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit {
        guard let base else { return }
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            base.deallocate()
        }
    }

    static func ioError(_ what: String, _ path: String) -> SafetensorsError {
        let reason = String(cString: strerror(errno))
        return SafetensorsError(.io, file: path, "\(what): \(reason)")
    }
}
