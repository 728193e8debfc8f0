public import ShoalMembership
public import ShoalObjects
public import ShoalScheduler

/// Valid task values the seed generators of fuzz-raft and fuzz-leader encode.
public enum TaskSamples {
    public static let node = NodeID(bytes: Array(repeating: 0x07, count: 32))
    public static let object = ObjectID(Multihash(hashing: Array("an object".utf8)))
    public static let first = TaskID("t-0001")!
    public static let second = TaskID("t-0002")!

    public static let spec = TaskSpec(
        argv: ["/bin/sh", "-c", "cat in > out"], environment: ["LANG": "C"], resources: Resources(cpuMillis: 500, memoryBytes: 64 << 20),
        constraints: [LabelConstraint(key: "zone", value: "a")], inputs: [TaskInput(name: "in", source: .object(object))],
        outputs: ["out"], timeoutMilliseconds: 60_000, retries: 1, priority: 70, strategy: .spread)

    /// A task's life: submitted (the second reads the first's output), assigned, started, finished, then the rest.
    public static let commands: [TaskCommand] = [
        .submit(
            [TaskSubmission(id: first, spec: spec),
             TaskSubmission(id: second, spec: TaskSpec(argv: ["wc"], inputs: [TaskInput(name: "x", source: .output(task: first, path: "out"))]))],
            at: 1_000),
        .assign([TaskAssignment(task: first, attempt: 1, node: node)], term: 2, at: 1_100),
        .started(task: first, attempt: 1, node: node, at: 1_200),
        .finished(TaskResult(task: first, attempt: 1, term: 2, node: node, exitCode: 0, outputs: ["out": object], startedAt: 1_200), at: 1_300),
        .unplaceable([second: "no node has zone=b"]),
        .cancel([second], at: 1_400),
        .nodeLost(node, at: 1_500),
        .forget(endedBefore: 2_000),
    ]
}
