import CEventSys

/// struct evbuffer_file_segment: a reference-counted slice of a file.
/// Without EVBUF_FS_DISABLE_SENDFILE it stays on disk until a buffer that
/// does not drain to a socket needs the bytes; then (or at once when
/// sendfile is disabled) it is mapped, or read when mapping is disabled or
/// fails.
struct FileSegment {
    var refcnt: Int
    var fd: Int32
    var flags: UInt32
    var fileOffset: Int64
    var length: Int64
    var contents: UnsafeMutablePointer<UInt8>?
    var mapping: UnsafeMutableRawPointer?
    var isMapping: Bool
    var canSendfile: Bool
    var cleanup: evbuffer_file_segment_cleanup_cb?
    var cleanupArg: UnsafeMutableRawPointer?

    enum Flag {
        static let closeOnFree: UInt32 = 0x01
        static let disableMmap: UInt32 = 0x02
        static let disableSendfile: UInt32 = 0x04
        static let disableLocking: UInt32 = 0x08
    }

    /// evbuffer_file_segment_new. A length of -1 means the file's size
    /// (its whole size, whatever the offset, as in libevent).
    static func create(fd: Int32, offset: Int64, length: Int64, flags: UInt32) -> SegmentPtr? {
        guard let raw = Memory.calloc(1, MemoryLayout<FileSegment>.stride) else { return nil }
        let seg = raw.bindMemory(to: FileSegment.self, capacity: 1)
        var len = length
        if len == -1 {
            var st = stat()
            if fstat(fd, &st) < 0 {
                Memory.free(raw)
                return nil
            }
            len = Int64(st.st_size)
        }
        seg.initialize(to: FileSegment(refcnt: 1, fd: fd, flags: flags, fileOffset: offset, length: len,
                                       contents: nil, mapping: nil, isMapping: false, canSendfile: false,
                                       cleanup: nil, cleanupArg: nil))
        if offset < 0 || len < 0 || offset > Int64.max - len {
            Memory.free(raw)
            return nil
        }
        if flags & Flag.disableSendfile == 0 {
            seg.pointee.canSendfile = true
            return seg
        }
        if materialize(seg) < 0 {
            Memory.free(raw)
            return nil
        }
        return seg
    }

    /// Bring the bytes into memory: mmap, else read.
    static func materialize(_ seg: SegmentPtr) -> Int32 {
        if seg.pointee.contents != nil { return 0 }
        let fd = seg.pointee.fd
        let length = seg.pointee.length
        let offset = seg.pointee.fileOffset
        if seg.pointee.flags & Flag.disableMmap == 0 {
            let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
            let leftover = offset % page
            let mapped = mmap(nil, Int(length + leftover), PROT_READ, MAP_PRIVATE, fd, off_t(offset - leftover))
            if let m = mapped, m != UnsafeMutableRawPointer(bitPattern: -1) {
                seg.pointee.mapping = m
                seg.pointee.contents = (m + Int(leftover)).assumingMemoryBound(to: UInt8.self)
                seg.pointee.isMapping = true
                return 0
            }
            Log.warnErrno("evbuffer_file_segment_materialize: mmap(\(fd), 0, \(offset + length)) failed")
        }
        let start = lseek(fd, 0, SEEK_CUR)
        guard let mem = Memory.malloc(Int(length))?.assumingMemoryBound(to: UInt8.self) else { return -1 }
        if start < 0 || lseek(fd, off_t(offset), SEEK_SET) < 0 {
            Memory.free(mem)
            return -1
        }
        var got: Int64 = 0
        var failed = false
        var err: Int32 = 0
        while got < length {
            let r = Sys.call { read(fd, mem + Int(got), Int(length - got)) }
            if r.failed { failed = true; err = r.errno; break }
            if r.value == 0 { break }
            got += Int64(r.value)
        }
        let back = lseek(fd, start, SEEK_SET)
        if failed || got < length || back < 0 {
            Memory.free(mem)
            if failed { Sys.errno = err }
            return -1
        }
        seg.pointee.contents = mem
        return 0
    }

    /// The bytes for reading, materializing if needed. Should that fail
    /// (the file shrank, I/O error) the reader gets zeros rather than wild
    /// memory.
    static func contentsForReading(_ seg: SegmentPtr) -> UnsafeMutablePointer<UInt8> {
        if materialize(seg) == 0, let c = seg.pointee.contents { return c }
        Log.warnx("evbuffer: cannot read file segment of fd \(seg.pointee.fd); using zeros")
        // Zero pages laid out like a mapping of the file (release unmaps
        // them the same way): no allocator involved, so no failure to handle.
        let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
        let leftover = seg.pointee.fileOffset % page
        let total = Int(seg.pointee.length + leftover)
        if total <= 0 { return withUnsafeMutablePointer(to: &zeroByte) { $0 } }
        guard let m = mmap(nil, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              m != UnsafeMutableRawPointer(bitPattern: -1) else {
            Log.fatal(1, "evbuffer: out of memory")
        }
        seg.pointee.mapping = m
        seg.pointee.contents = (m + Int(leftover)).assumingMemoryBound(to: UInt8.self)
        seg.pointee.isMapping = true
        return seg.pointee.contents!
    }

    /// evbuffer_file_segment_free: drop one reference; the last one unmaps
    /// or frees the bytes, closes the fd if asked, then runs the cleanup.
    static func release(_ seg: SegmentPtr) {
        seg.pointee.refcnt -= 1
        if seg.pointee.refcnt > 0 { return }
        if seg.pointee.isMapping {
            let page = Int64(sysconf(Int32(_SC_PAGESIZE)))
            let leftover = seg.pointee.fileOffset % page
            if munmap(seg.pointee.mapping, Int(seg.pointee.length + leftover)) == -1 {
                Log.warnErrno("evbuffer_file_segment_free: munmap failed")
            }
        } else if let c = seg.pointee.contents {
            Memory.free(c)
        }
        if seg.pointee.flags & Flag.closeOnFree != 0 && seg.pointee.fd >= 0 {
            _ = Sys.close(seg.pointee.fd)
        }
        if let cb = seg.pointee.cleanup {
            cb(OpaquePointer(seg), Int32(bitPattern: seg.pointee.flags), seg.pointee.cleanupArg)
        }
        Memory.free(UnsafeMutableRawPointer(seg))
    }
}

typealias SegmentPtr = UnsafeMutablePointer<FileSegment>

extension EvBuffer {
    /// evbuffer_add_file_segment: `length` bytes (negative: to the end)
    /// from `offset` within the segment.
    ///
    /// libevent 2.1 drops one of the caller's references to the segment
    /// when the add fails after the bytes were brought in (the segment may
    /// then be freed under the caller); ours leaves the count alone.
    func addFileSegment(_ seg: SegmentPtr, _ offset: Int64, _ length: Int64) -> Int32 {
        return addFileSegmentReporting(seg, offset, length) == .added ? 0 : -1
    }

    enum SegmentAddResult { case added, notInMemory, refused }

    func addFileSegmentReporting(_ seg: SegmentPtr, _ offset: Int64, _ length: Int64) -> SegmentAddResult {
        let drainsToFd = flags & BufferFlag.drainsToFd != 0
        if !drainsToFd && seg.pointee.contents == nil && FileSegment.materialize(seg) < 0 { return .notInMemory }
        var length = length
        let segLen = seg.pointee.length
        var ok = !freezeEnd && offset >= 0
        if ok && length < 0 {
            if offset > segLen { ok = false } else { length = segLen - offset }
        }
        if ok && (offset > segLen || length > segLen - offset) { ok = false }
        if ok && length > Int64(Int.max - totalLen) { ok = false }
        guard ok, let c = Chain.makeSpecial(FileExtra(segment: seg), flags: ChainFlag.immutable | ChainFlag.fileSegment) else {
            return .refused
        }
        seg.pointee.refcnt += 1
        let n = Int(length)
        if drainsToFd && seg.pointee.canSendfile {
            c.pointee.flags |= ChainFlag.sendfile | ChainFlag.unmapped
            c.pointee.misalign = Int(seg.pointee.fileOffset + offset)
            c.pointee.off = n
            c.pointee.bufferLen = c.pointee.misalign + n
        } else {
            c.pointee.buffer = seg.pointee.contents! + Int(offset)
            c.pointee.bufferLen = n
            c.pointee.off = n
        }
        nAdded &+= n
        insert(c)
        invokeCallbacks()
        return .added
    }

    /// evbuffer_add_file: the fd is closed when the bytes are gone. When
    /// the add is refused the fd is closed at once (libevent's segment
    /// reference is dropped); when the file cannot be read it stays open.
    func addFile(_ fd: Int32, _ offset: Int64, _ length: Int64) -> Int32 {
        guard let seg = FileSegment.create(fd: fd, offset: offset, length: length, flags: FileSegment.Flag.closeOnFree) else { return -1 }
        let r = addFileSegmentReporting(seg, 0, length)
        if r == .notInMemory { seg.pointee.flags &= ~FileSegment.Flag.closeOnFree }
        FileSegment.release(seg)
        return r == .added ? 0 : -1
    }
}

/// EVBUFFER_FLAG_*.
enum BufferFlag {
    static let drainsToFd: UInt32 = 1
    /// Ours, out of reach of evbuffer_set_flags / clear_flags.
    static let ownsLock: UInt32 = 0x8000_0000
    static let internalMask: UInt32 = ownsLock
}

/// What an empty segment's contents point at.
nonisolated(unsafe) private var zeroByte: UInt8 = 0
