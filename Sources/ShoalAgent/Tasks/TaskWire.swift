import Foundation
import ShoalMembership
import ShoalObjects
import ShoalScheduler
import ShoalWire

/// Why task bytes from the log, a snapshot or a peer do not decode into the scheduler's types.
struct TaskWireError: Error, Sendable, Equatable, CustomStringConvertible {
    let description: String
}

// The scheduler's types and their protobuf forms (shoal_tasks.proto), both ways. Decoding
// checks every id, so a command that reaches `TaskTable.apply` names only valid tasks, nodes
// and objects; the table checks the rest.

extension TaskSpec {
    var wire: Shoal_Wire_V1_TaskSpec {
        .with {
            $0.argv = argv
            $0.environment = environment
            $0.resources = .with {
                $0.cpuMillis = resources.cpuMillis
                $0.memoryBytes = resources.memoryBytes
            }
            $0.constraints = constraints.map { constraint in .with { $0.key = constraint.key; $0.value = constraint.value } }
            $0.inputs = inputs.map(\.wire)
            $0.outputs = outputs
            $0.timeoutMs = timeoutMilliseconds ?? 0
            $0.retries = Int32(clamping: retries)
            $0.priority = Int32(clamping: priority)
            $0.strategy = strategy == .spread ? .spread : .binpack
        }
    }

    init(wire: Shoal_Wire_V1_TaskSpec) throws(TaskWireError) {
        self.init(
            argv: wire.argv, environment: wire.environment,
            resources: Resources(cpuMillis: wire.resources.cpuMillis, memoryBytes: wire.resources.memoryBytes),
            constraints: wire.constraints.map { LabelConstraint(key: $0.key, value: $0.value) },
            inputs: try wire.inputs.map { input throws(TaskWireError) in try TaskInput(wire: input) }, outputs: wire.outputs,
            timeoutMilliseconds: wire.timeoutMs == 0 ? nil : wire.timeoutMs, retries: Int(wire.retries), priority: Int(wire.priority),
            strategy: wire.strategy == .spread ? .spread : .binpack)
    }
}

extension TaskInput {
    var wire: Shoal_Wire_V1_TaskInputSpec {
        .with {
            $0.name = name
            switch source {
            case .object(let id): $0.object = Data(id.multihash.bytes)
            case .output(let task, let path):
                $0.output = .with {
                    $0.task = task.rawValue
                    $0.path = path
                }
            }
        }
    }

    init(wire: Shoal_Wire_V1_TaskInputSpec) throws(TaskWireError) {
        switch wire.source {
        case .object(let bytes)?: self.init(name: wire.name, source: .object(try ObjectID(wire: bytes)))
        case .output(let output)?: self.init(name: wire.name, source: .output(task: try TaskID(wire: output.task), path: output.path))
        case nil: throw TaskWireError(description: "input \(wire.name) has no source")
        }
    }
}

extension TaskID {
    init(wire text: String) throws(TaskWireError) {
        guard let id = TaskID(text) else { throw TaskWireError(description: "'\(text.prefix(80))' is not a task id") }
        self = id
    }
}

extension ObjectID {
    init(wire bytes: Data) throws(TaskWireError) {
        do {
            self.init(try Multihash(bytes: [UInt8](bytes)))
        } catch {
            throw TaskWireError(description: "an object id that does not decode: \(error)")
        }
    }
}

extension NodeID {
    init(taskWire bytes: Data) throws(TaskWireError) {
        guard bytes.count == 32 else { throw TaskWireError(description: "a node id of \(bytes.count) bytes, not 32") }
        self.init(bytes: [UInt8](bytes))
    }
}

extension TaskCommand {
    var wire: Shoal_Wire_V1_TaskCommand {
        var command = Shoal_Wire_V1_TaskCommand()
        switch self {
        case .submit(let submissions, let at):
            command.at = at
            command.submit = .with {
                $0.tasks = submissions.map { submission in
                    .with {
                        $0.id = submission.id.rawValue
                        $0.spec = submission.spec.wire
                    }
                }
            }
        case .assign(let assignments, let term, let at):
            command.at = at
            command.assign = .with {
                $0.term = term
                $0.assignments = assignments.map { assignment in
                    .with {
                        $0.task = assignment.task.rawValue
                        $0.attempt = UInt32(clamping: assignment.attempt)
                        $0.node = Data(assignment.node.bytes)
                    }
                }
            }
        case .unplaceable(let reasons):
            command.unplaceable = .with { $0.reasons = Dictionary(uniqueKeysWithValues: reasons.map { ($0.key.rawValue, $0.value) }) }
        case .started(let task, let attempt, let node, let at):
            command.at = at
            command.started = .with {
                $0.task = task.rawValue
                $0.attempt = UInt32(clamping: attempt)
                $0.node = Data(node.bytes)
            }
        case .finished(let result, let at):
            command.at = at
            command.finished = result.wire
        case .cancel(let ids, let at):
            command.at = at
            command.cancel = .with { $0.tasks = ids.map(\.rawValue) }
        case .nodeLost(let node, let at):
            command.at = at
            command.nodeLost = Data(node.bytes)
        case .forget(let endedBefore):
            command.forget = .with { $0.endedBefore = endedBefore }
        }
        return command
    }

    init(wire command: Shoal_Wire_V1_TaskCommand) throws(TaskWireError) {
        let at = command.at
        switch command.op {
        case .submit(let submit)?:
            self = .submit(
                try submit.tasks.map { task throws(TaskWireError) in TaskSubmission(id: try TaskID(wire: task.id), spec: try TaskSpec(wire: task.spec)) },
                at: at)
        case .assign(let assign)?:
            self = .assign(
                try assign.assignments.map { assignment throws(TaskWireError) in
                    TaskAssignment(task: try TaskID(wire: assignment.task), attempt: Int(assignment.attempt), node: try NodeID(taskWire: assignment.node))
                }, term: assign.term, at: at)
        case .unplaceable(let unplaceable)?:
            var reasons: [TaskID: String] = [:]
            for (id, reason) in unplaceable.reasons { reasons[try TaskID(wire: id)] = String(reason.prefix(1_000)) }
            self = .unplaceable(reasons)
        case .started(let started)?:
            self = .started(task: try TaskID(wire: started.task), attempt: Int(started.attempt), node: try NodeID(taskWire: started.node), at: at)
        case .finished(let result)?:
            self = .finished(try TaskResult(wire: result), at: at)
        case .cancel(let cancel)?:
            self = .cancel(try cancel.tasks.map { id throws(TaskWireError) in try TaskID(wire: id) }, at: at)
        case .nodeLost(let node)?:
            self = .nodeLost(try NodeID(taskWire: node), at: at)
        case .forget(let forget)?:
            self = .forget(endedBefore: forget.endedBefore)
        case nil:
            throw TaskWireError(description: "a task command with no operation")
        }
    }
}

extension TaskResult {
    var wire: Shoal_Wire_V1_TaskResult {
        .with {
            $0.task = task.rawValue
            $0.attempt = UInt32(clamping: attempt)
            $0.term = term
            $0.node = Data(node.bytes)
            if let exitCode { $0.exitCode = exitCode }
            if let failure { $0.failure = failure }
            $0.outputs = outputs.sorted { $0.key < $1.key }.map(Shoal_Wire_V1_TaskOutput.init)
            if let startedAt { $0.startedAt = startedAt }
        }
    }

    init(wire: Shoal_Wire_V1_TaskResult) throws(TaskWireError) {
        self.init(
            task: try TaskID(wire: wire.task), attempt: Int(wire.attempt), term: wire.term, node: try NodeID(taskWire: wire.node),
            exitCode: wire.hasExitCode ? wire.exitCode : nil, failure: wire.hasFailure ? String(wire.failure.prefix(4_000)) : nil,
            outputs: try .init(wire: wire.outputs), startedAt: wire.hasStartedAt ? wire.startedAt : nil)
    }
}

extension Shoal_Wire_V1_TaskOutput {
    init(_ output: (key: String, value: ObjectID)) {
        self.init()
        path = output.key
        object = Data(output.value.multihash.bytes)
    }
}

extension [String: ObjectID] {
    init(wire outputs: [Shoal_Wire_V1_TaskOutput]) throws(TaskWireError) {
        self.init()
        for output in outputs {
            guard self[output.path] == nil else { throw TaskWireError(description: "output \(output.path) is named twice") }
            self[output.path] = try ObjectID(wire: output.object)
        }
    }
}

extension TaskRecord {
    var wire: Shoal_Wire_V1_TaskRecord {
        .with {
            $0.id = id.rawValue
            $0.spec = spec.wire
            $0.state = state.rawValue
            $0.attempts = attempts.map(\.wire)
            $0.submittedAt = submittedAt
            $0.sequence = sequence
            $0.notBefore = notBefore
            if let reason { $0.reason = reason }
            $0.outputs = outputs.sorted { $0.key < $1.key }.map(Shoal_Wire_V1_TaskOutput.init)
            if let endedAt { $0.endedAt = endedAt }
        }
    }

    init(wire: Shoal_Wire_V1_TaskRecord) throws(TaskWireError) {
        guard let state = TaskState(rawValue: wire.state) else { throw TaskWireError(description: "task \(wire.id) has state '\(wire.state)'") }
        self.init(
            restoring: try TaskID(wire: wire.id), spec: try TaskSpec(wire: wire.spec), state: state,
            attempts: try wire.attempts.map { attempt throws(TaskWireError) in try TaskAttempt(wire: attempt) }, submittedAt: wire.submittedAt,
            sequence: wire.sequence, notBefore: wire.notBefore, reason: wire.hasReason ? wire.reason : nil, outputs: try .init(wire: wire.outputs),
            endedAt: wire.hasEndedAt ? wire.endedAt : nil)
    }
}

extension TaskAttempt {
    var wire: Shoal_Wire_V1_TaskAttemptRecord {
        .with {
            $0.number = UInt32(clamping: number)
            $0.node = Data(node.bytes)
            $0.term = term
            $0.assignedAt = assignedAt
            if let startedAt { $0.startedAt = startedAt }
            if let endedAt { $0.endedAt = endedAt }
            if let exitCode { $0.exitCode = exitCode }
            if let reason { $0.reason = reason }
            $0.outputs = outputs.sorted { $0.key < $1.key }.map(Shoal_Wire_V1_TaskOutput.init)
        }
    }

    init(wire: Shoal_Wire_V1_TaskAttemptRecord) throws(TaskWireError) {
        self.init(
            number: Int(wire.number), node: try NodeID(taskWire: wire.node), term: wire.term, assignedAt: wire.assignedAt,
            startedAt: wire.hasStartedAt ? wire.startedAt : nil, endedAt: wire.hasEndedAt ? wire.endedAt : nil,
            exitCode: wire.hasExitCode ? wire.exitCode : nil, reason: wire.hasReason ? wire.reason : nil, outputs: try .init(wire: wire.outputs))
    }
}
