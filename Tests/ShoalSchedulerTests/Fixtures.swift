import ShoalMembership
import ShoalObjects

@testable import ShoalScheduler

enum Fixture {
    static func node(_ number: Int) -> NodeID { NodeID(bytes: [UInt8(number >> 8), UInt8(number & 0xff)] + Array(repeating: 0, count: 30)) }

    static func task(_ number: Int) -> TaskID { TaskID("t-\(number)")! }

    static func object(_ number: Int) -> ObjectID { ObjectID(Multihash(hashing: Array("object \(number)".utf8))) }

    static let core = Resources(cpuMillis: 1000, memoryBytes: 1 << 30)

    static func cluster(_ count: Int, capacity: Resources = Resources(cpuMillis: 4000, memoryBytes: 8 << 30), labels: (Int) -> [String: String] = { _ in [:] }) -> [SchedulingNode] {
        (0..<count).map { SchedulingNode(id: node($0), capacity: capacity, labels: labels($0)) }
    }

    static func spec(_ argv: String = "/bin/true", resources: Resources = .zero, inputs: [TaskInput] = [], outputs: [String] = [], retries: Int = 3, priority: Int = 50) -> TaskSpec {
        TaskSpec(argv: [argv], resources: resources, inputs: inputs, outputs: outputs, retries: retries, priority: priority)
    }
}
