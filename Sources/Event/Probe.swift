import CEventSys

@_cdecl("event_get_struct_event_size")
public func event_get_struct_event_size() -> Int {
    return MemoryLayout<event>.size
}
