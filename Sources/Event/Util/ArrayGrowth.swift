// Shared with the extra library (a symlink in Sources/EventExtra/Support/Shared):
// it needs only Memory.failureMark / Memory.failed, which both modules define.

extension Array {
    /// Room for one more element, taken through the allocator; false (the
    /// array unchanged) when memory ran out. The append that follows then
    /// allocates nothing, so a growing array never lives in the reserve.
    mutating func reserveOneMore() -> Bool {
        if count < capacity { return true }
        let mark = Memory.failureMark()
        var bigger: [Element] = []
        bigger.reserveCapacity(Swift.max(4, capacity &* 2))
        if Memory.failed(since: mark) { return false }
        bigger.append(contentsOf: self)
        self = bigger
        return true
    }
}
