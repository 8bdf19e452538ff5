import Foundation
import Testing
import Config
import Protocol
import Search
@testable import Dashboard

@Suite("Dashboard data")
struct PayloadTests {
    @Test("placeholder")
    func nothing() {}
}
