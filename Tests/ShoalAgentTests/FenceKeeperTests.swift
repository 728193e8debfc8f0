import Foundation
import Testing

@testable import ShoalAgent

/// Fencing: the newest term seen is kept across restarts, and anything older is refused.
@Suite("fencing term")
struct FenceKeeperTests {
    let dir = TemporaryDirectory()

    @Test("a decision from an older term is refused, even after a restart; equal and newer terms count")
    func olderRefused() throws {
        let path = dir.path + "/raft.fence"
        let fence = try FenceKeeper(path: path)
        #expect(fence.term == 0)
        #expect(fence.admit(3))
        #expect(fence.admit(3))
        #expect(!fence.admit(2))
        #expect(fence.admit(5))
        let reopened = try FenceKeeper(path: path)
        #expect(reopened.term == 5, "the newest term was not kept")
        #expect(!reopened.admit(4))
    }

    @Test("a damaged fence file is a typed error, not a reset to term 0")
    func damaged() throws {
        let path = dir.write("raft.fence", "xyz")
        #expect(throws: FenceKeeper.Damaged.self) { try FenceKeeper(path: path) }
    }
}
