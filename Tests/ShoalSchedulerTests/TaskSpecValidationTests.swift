import Testing

@testable import ShoalScheduler

/// What a submission must be before the cluster accepts it (issue "Tasks", bad input).
@Suite("task spec validation")
struct TaskSpecValidationTests {
    @Test("a plain command with the defaults is valid")
    func plainIsValid() throws {
        try Fixture.spec().validate()
    }

    static let refused: [(String, TaskSpec, TaskSpecError)] = [
        ("empty argv", TaskSpec(argv: []), .emptyArgv),
        ("empty program", TaskSpec(argv: [""]), .emptyArgv),
        ("negative cpu", TaskSpec(argv: ["x"], resources: Resources(cpuMillis: -1, memoryBytes: 0)), .negativeResources(Resources(cpuMillis: -1, memoryBytes: 0))),
        ("negative memory", TaskSpec(argv: ["x"], resources: Resources(cpuMillis: 0, memoryBytes: -5)), .negativeResources(Resources(cpuMillis: 0, memoryBytes: -5))),
        ("absurd cpu", TaskSpec(argv: ["x"], resources: Resources(cpuMillis: 2_000_000, memoryBytes: 0)), .excessiveResources(Resources(cpuMillis: 2_000_000, memoryBytes: 0))),
        ("bad environment name", TaskSpec(argv: ["x"], environment: ["1X": "v"]), .invalidEnvironment(key: "1X")),
        ("bad label key", TaskSpec(argv: ["x"], constraints: [LabelConstraint(key: "a b", value: "c")]), .invalidConstraint("a b=c")),
        ("absolute output", TaskSpec(argv: ["x"], outputs: ["/etc/passwd"]), .invalidPath("/etc/passwd", reason: "must be relative to the task's directory")),
        ("escaping output", TaskSpec(argv: ["x"], outputs: ["out/../../x"]),
         .invalidPath("out/../../x", reason: "must not contain empty, '.' or '..' components (it must stay inside the task's directory)")),
        ("output named stdout", TaskSpec(argv: ["x"], outputs: ["stdout"]), .invalidPath("stdout", reason: "is reserved for the task's standard streams")),
        ("input and output share a path", TaskSpec(argv: ["x"], inputs: [TaskInput(name: "a", source: .object(Fixture.object(1)))], outputs: ["a"]), .duplicatePath("a")),
        ("zero timeout", TaskSpec(argv: ["x"], timeoutMilliseconds: 0), .invalidTimeout(0)),
        ("negative retries", TaskSpec(argv: ["x"], retries: -1), .invalidRetries(-1)),
        ("too many retries", TaskSpec(argv: ["x"], retries: 21), .invalidRetries(21)),
        ("priority out of range", TaskSpec(argv: ["x"], priority: 101), .invalidPriority(101)),
    ]

    @Test("a spec that cannot run as stated is refused with a typed error", arguments: refused)
    func refusedSpecs(name: String, spec: TaskSpec, error: TaskSpecError) {
        #expect(throws: error) { try spec.validate() }
    }

    @Test("a task id is a short path- and URL-safe name")
    func taskIDs() {
        #expect(TaskID("t-0123abcd") != nil)
        #expect(TaskID("") == nil)
        #expect(TaskID("../etc") == nil)
        #expect(TaskID(String(repeating: "a", count: 65)) == nil)
        #expect(TaskID(randomBytes: Array(repeating: 0xab, count: 16)).rawValue == "t-" + String(repeating: "ab", count: 16))
    }

    @Test("a label constraint is parsed from KEY=VALUE")
    func constraints() {
        #expect(LabelConstraint(parsing: "zone=a") == LabelConstraint(key: "zone", value: "a"))
        #expect(LabelConstraint(parsing: "gpu=") == LabelConstraint(key: "gpu", value: ""))
        #expect(LabelConstraint(parsing: "=a") == nil)
        #expect(LabelConstraint(parsing: "zone") == nil)
    }
}
