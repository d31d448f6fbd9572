import CEventSys

/// Bytes held by reference: caller memory (evbuffer_add_reference) and
/// other buffers' chains (evbuffer_add_buffer_reference).
extension EvBuffer {
    /// evbuffer_add_reference: `cleanup` runs exactly once, when no buffer
    /// refers to the bytes any more (not at all when the add fails).
    func addReference(_ data: UnsafeRawPointer?, _ len: Int, _ cleanup: evbuffer_ref_cleanup_cb?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
        if len > 0 && data == nil {
            Log.warnx("evbuffer_add_reference: NULL data with length \(len)")
            return -1
        }
        if len > Int.max - totalLen { return -1 }
        guard let c = Chain.makeSpecial(ReferenceExtra(cleanup: cleanup, arg: arg, data: data, length: len),
                                        flags: ChainFlag.reference | ChainFlag.immutable) else { return -1 }
        if let data { c.pointee.buffer = UnsafeMutablePointer(mutating: data.assumingMemoryBound(to: UInt8.self)) }
        c.pointee.bufferLen = len
        c.pointee.off = len
        if freezeEnd {
            Memory.free(UnsafeMutableRawPointer(c))
            return -1
        }
        insert(c)
        nAdded &+= len
        invokeCallbacks()
        return 0
    }

    /// evbuffer_add_buffer_reference: self gets views of src's chains; src
    /// keeps its bytes, which become read-only. Chains that are themselves
    /// views, or file segments, cannot be referenced (libevent refuses them).
    func addBufferReference(_ src: EvBuffer) -> Int32 {
        let inTotal = src.totalLen
        if inTotal == 0 { return 0 }
        if freezeEnd || src === self { return -1 }
        var c = src.first
        while let x = c {
            if x.pointee.flags & (ChainFlag.fileSegment | ChainFlag.sendfile | ChainFlag.multicast) != 0 { return -1 }
            c = x.pointee.next
        }
        if totalLen == 0 {
            // Drop empty chains (libevent frees them but keeps pointing at them).
            releaseAll(from: first)
            zeroChains()
        }
        c = src.first
        while let parent = c {
            c = parent.pointee.next
            if parent.pointee.off == 0 { continue }
            let extra = MulticastExtra(source: Unmanaged.passUnretained(src).toOpaque(), parent: parent)
            guard let view = Chain.makeSpecial(extra, flags: ChainFlag.multicast | ChainFlag.immutable) else {
                Log.warnx("evbuffer_add_buffer_reference: out of memory")
                break
            }
            src.incref()
            parent.pointee.refcnt += 1
            parent.pointee.flags |= ChainFlag.immutable
            view.pointee.buffer = parent.pointee.buffer
            view.pointee.bufferLen = parent.pointee.bufferLen
            view.pointee.misalign = parent.pointee.misalign
            view.pointee.off = parent.pointee.off
            insert(view)
        }
        nAdded &+= inTotal
        invokeCallbacks()
        return 0
    }
}
