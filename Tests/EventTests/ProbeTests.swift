import XCTest
import CEventSys
@testable import Event

final class ProbeTests: XCTestCase {
    func testStructEventSize() {
        XCTAssertEqual(event_get_struct_event_size(), 128)
    }
}
