// TEMPORARY until EventExtra/Support (Memory, Log) reaches main: remove on merge.
import CEventExtra
enum Memory {
    static func malloc(_ n: Int) -> UnsafeMutableRawPointer? { CEventExtra.malloc(n) }
    static func free(_ p: UnsafeMutableRawPointer?) { CEventExtra.free(p) }
}
enum Log {
    static func warnx(_ s: String) {}
    static func warnErrno(_ s: StaticString) {}
}
