import XCTest
import CEventExtra
@testable import EventExtra

final class ExtraSmokeTests: XCTestCase {
    /// The extra module links against the core's C symbols in normal mode.
    func testCoreReachableThroughC() {
        let base = event_base_new()
        XCTAssertNotNil(base)
        event_base_free(base)
    }
}
