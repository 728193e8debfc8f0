import ShoalMembership

extension TaskTable {
    /// Applies one committed entry and says what changed. Deterministic: the same entries in the
    /// same order give the same table on every replica.
    public mutating func apply(_ command: TaskCommand) -> [TaskEvent] {
        switch command {
        case .submit(let submissions, let at): submit(submissions, at: at)
        case .assign(let assignments, let term, let at): assignments.map { assign($0, term: term, at: at) }
        case .unplaceable(let reasons):
            reasons.keys.sorted().compactMap { id in
                guard tasks[id]?.state == .pending, let reason = reasons[id], tasks[id]!.reason != reason else { return nil }
                tasks[id]!.reason = reason
                return .waiting(id, reason: reason)
            }
        case .started(let id, let attempt, let node, let at): [start(id, attempt: attempt, node: node, at: at)]
        case .finished(let result, let at): finish(result, at: at)
        case .cancel(let ids, let at): ids.flatMap { cancel($0, at: at) }
        case .nodeLost(let node, let at): loseNode(node, at: at)
        case .forget(let endedBefore): forget(endedBefore: endedBefore)
        }
    }

    /// Removes the final tasks that ended before `endedBefore` and that no unfinished task
    /// depends on (a pending task still needs its producer's outputs), in submission order.
    mutating func forget(endedBefore: Int64) -> [TaskEvent] {
        let gone = forgettable(endedBefore: endedBefore)
        for id in gone {
            let record = tasks.removeValue(forKey: id)!
            dependents[id] = nil
            for dependency in record.spec.dependencies {
                dependents[dependency]?.remove(id)
                if dependents[dependency]?.isEmpty == true { dependents[dependency] = nil }
            }
        }
        return gone.map { .forgotten($0) }
    }

    /// Adds the whole submission or nothing: each spec valid, ids new, every dependency known
    /// (already in the table or in this submission, and naming an output it lists), no cycle.
    mutating func submit(_ submissions: [TaskSubmission], at: Int64) -> [TaskEvent] {
        do throws(TaskSpecError) {
            try check(submissions)
        } catch {
            return [.rejected(error)]
        }
        let ordered = TaskGraph.order(submissions)
        for submission in ordered {
            nextSequence += 1
            tasks[submission.id] = TaskRecord(
                id: submission.id, spec: submission.spec, state: .pending, submittedAt: at, sequence: nextSequence, notBefore: at)
            pendingIDs.insert(submission.id)
            for dependency in submission.spec.dependencies { dependents[dependency, default: []].insert(submission.id) }
        }
        var events = ordered.map { TaskEvent.submitted($0.id) }
        // A dependency that has already failed fails its new dependents at once.
        for submission in submissions {
            if let broken = submission.spec.dependencies.first(where: { tasks[$0]!.state.isFinal && tasks[$0]!.state != .succeeded }) {
                events += end(submission.id, as: .failed, reason: "dependency \(broken) \(tasks[broken]!.state.rawValue)", at: at)
            }
        }
        return events
    }

    func check(_ submissions: [TaskSubmission]) throws(TaskSpecError) {
        guard submissions.count <= Self.maximumSubmission else { throw .tooLarge(what: "a submission of \(submissions.count) tasks", limit: Self.maximumSubmission) }
        var batch: [TaskID: TaskSpec] = [:]
        for submission in submissions {
            try submission.spec.validate()
            guard tasks[submission.id] == nil, batch[submission.id] == nil else { throw .duplicateTask(submission.id) }
            batch[submission.id] = submission.spec
        }
        for submission in submissions {
            for input in submission.spec.inputs {
                guard case .output(let task, let path) = input.source else { continue }
                guard task != submission.id else { throw .dependsOnItself(task) }
                guard let producer = batch[task] ?? tasks[task]?.spec else { throw .unknownTask(task) }
                guard TaskSpec.streamOutputs.contains(path) || producer.outputs.contains(path) else { throw .unknownOutput(task: task, path: path) }
            }
        }
        if let cycle = TaskGraph.cycle(in: submissions) { throw .cycle(cycle) }
    }

    mutating func assign(_ assignment: TaskAssignment, term: UInt64, at: Int64) -> TaskEvent {
        let id = assignment.task
        guard let record = tasks[id] else { return .ignored(id, why: "no such task") }
        guard record.state == .pending else { return .ignored(id, why: "assigned while \(record.state.rawValue)") }
        guard assignment.attempt == record.attempts.count + 1 else { return .ignored(id, why: "assigned attempt \(assignment.attempt), not the next") }
        guard record.spec.dependencies.allSatisfy({ tasks[$0]?.state == .succeeded }) else { return .ignored(id, why: "assigned before its dependencies succeeded") }
        tasks[id]!.attempts.append(TaskAttempt(number: assignment.attempt, node: assignment.node, term: term, assignedAt: at))
        move(id, to: .assigned)
        tasks[id]!.reason = nil
        return .assigned(id, attempt: assignment.attempt, node: assignment.node, term: term)
    }

    mutating func start(_ id: TaskID, attempt: Int, node: NodeID, at: Int64) -> TaskEvent {
        guard let record = tasks[id], record.state == .assigned, let current = record.currentAttempt,
            current.number == attempt, current.node == node
        else { return .ignored(id, why: "a start for an attempt that is not the current one") }
        tasks[id]!.attempts[record.attempts.count - 1].startedAt = at
        move(id, to: .running)
        return .started(id, attempt: attempt)
    }

    mutating func finish(_ result: TaskResult, at: Int64) -> [TaskEvent] {
        let id = result.task
        guard let record = tasks[id], record.state == .assigned || record.state == .running, let current = record.currentAttempt,
            current.number == result.attempt, current.term == result.term, current.node == result.node
        else { return [.ignored(id, why: "a result for an attempt that is not the current one")] }
        let last = record.attempts.count - 1
        if tasks[id]!.attempts[last].startedAt == nil { tasks[id]!.attempts[last].startedAt = result.startedAt }
        tasks[id]!.attempts[last].endedAt = at
        tasks[id]!.attempts[last].exitCode = result.exitCode
        tasks[id]!.attempts[last].outputs = result.outputs
        if result.succeeded {
            tasks[id]!.outputs = result.outputs
            return end(id, as: .succeeded, reason: nil, at: at)
        }
        let reason = result.failure ?? "exited with status \(result.exitCode.map(String.init) ?? "unknown")"
        tasks[id]!.attempts[last].reason = reason
        return retryOrEnd(id, as: .failed, reason: reason, at: at)
    }

    mutating func cancel(_ id: TaskID, at: Int64) -> [TaskEvent] {
        guard let record = tasks[id], !record.state.isFinal else { return [.ignored(id, why: "cancel of a task that has ended or does not exist")] }
        var events: [TaskEvent] = []
        if let attempt = record.currentAttempt, record.state == .assigned || record.state == .running {
            tasks[id]!.attempts[record.attempts.count - 1].endedAt = at
            tasks[id]!.attempts[record.attempts.count - 1].reason = "cancelled"
            events.append(.kill(id, attempt: attempt.number, node: attempt.node))
        }
        return events + end(id, as: .cancelled, reason: "cancelled", at: at)
    }

    mutating func loseNode(_ node: NodeID, at: Int64) -> [TaskEvent] {
        attempts(on: node).flatMap { record, _ -> [TaskEvent] in
            tasks[record.id]!.attempts[record.attempts.count - 1].endedAt = at
            tasks[record.id]!.attempts[record.attempts.count - 1].reason = "node lost"
            return retryOrEnd(record.id, as: .lost, reason: "its node was lost", at: at)
        }
    }

    /// Runs the task again after its backoff if it has retries left, else ends it as `final`.
    mutating func retryOrEnd(_ id: TaskID, as final: TaskState, reason: String, at: Int64) -> [TaskEvent] {
        let record = tasks[id]!
        guard record.attempts.count <= record.spec.retries else { return end(id, as: final, reason: reason, at: at) }
        let notBefore = at + RetryBackoff.delay(afterAttempt: record.attempts.count)
        move(id, to: .pending)
        tasks[id]!.notBefore = notBefore
        tasks[id]!.reason = "retrying after: \(reason)"
        return [.retrying(id, attempt: record.attempts.count, notBefore: notBefore)]
    }

    /// Ends `id` as `state`; a task that did not succeed fails every task still waiting on it.
    mutating func end(_ id: TaskID, as state: TaskState, reason: String?, at: Int64) -> [TaskEvent] {
        move(id, to: state)
        tasks[id]!.reason = reason
        tasks[id]!.endedAt = at
        var events: [TaskEvent] = [.ended(id, state)]
        guard state != .succeeded else { return events }
        for dependent in (dependents[id] ?? []).sorted() where tasks[dependent]?.state == .pending {
            events += end(dependent, as: .failed, reason: "dependency \(id) \(state.rawValue)", at: at)
        }
        return events
    }

    /// Sets the state of `id`, keeping the indexes by state (`pendingIDs`, `activeIDs`) true:
    /// out of the one its old state (and current attempt's node) put it in, into the new one's.
    mutating func move(_ id: TaskID, to state: TaskState) {
        let record = tasks[id]!
        switch record.state {
        case .pending: pendingIDs.remove(id)
        case .assigned, .running:
            if let node = record.currentAttempt?.node {
                activeIDs[node]?.remove(id)
                if activeIDs[node]?.isEmpty == true { activeIDs[node] = nil }
            }
        case .succeeded, .failed, .cancelled, .lost: break
        }
        switch state {
        case .pending: pendingIDs.insert(id)
        case .assigned, .running:
            if let node = record.currentAttempt?.node { activeIDs[node, default: []].insert(id) }
        case .succeeded, .failed, .cancelled, .lost: break
        }
        tasks[id]!.state = state
    }
}
