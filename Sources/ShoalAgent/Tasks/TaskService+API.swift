import Foundation
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler

extension TaskService {
    /// Accepts `specs` (each validated here, each object input found in the cluster), gives
    /// them ids and commits them in one entry; answers their records. Refused whole, with the
    /// reason, if any one is refused.
    func submit(_ specs: [TaskSpec]) async throws(KVFailure) -> [TaskRecord] {
        guard !specs.isEmpty else { throw .invalid("no task to submit") }
        guard specs.count <= TaskTable.maximumSubmission else {
            throw .invalid(TaskSpecError.tooLarge(what: "a submission of \(specs.count) tasks", limit: TaskTable.maximumSubmission).description)
        }
        for spec in specs {
            do throws(TaskSpecError) {
                try spec.validate()
            } catch {
                throw .invalid(error.description)
            }
        }
        var checked: Set<ObjectID> = []
        for spec in specs {
            for input in spec.inputs {
                guard case .object(let id) = input.source, checked.insert(id).inserted else { continue }
                if (try? objects.store.manifest(of: id)) ?? nil == nil, await objects.locate(id) == nil {
                    throw .notFound("input \(input.name): no object \(id) in the cluster")
                }
            }
        }
        var generator = SystemRandomNumberGenerator()
        let submissions = specs.map { spec in
            TaskSubmission(id: TaskID(randomBytes: (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }), spec: spec)
        }
        let ids = submissions.map(\.id)
        do throws(KVFailure) {
            _ = try await consensus.propose(task: .submit(submissions, at: nowMilliseconds))
        } catch {
            // The ids are ours: whether an indeterminate submit landed can be read.
            guard case .indeterminate = error, let found = try? await records(ids), found.count == ids.count else { throw error }
            return found
        }
        return try await records(ids)
    }

    /// The records of `ids`, in that order (a linearizable read).
    func records(_ ids: [TaskID]) async throws(KVFailure) -> [TaskRecord] {
        let found = Dictionary(uniqueKeysWithValues: try await consensus.read(tasks: TaskQuery(ids: ids)).records.map { ($0.id, $0) })
        return ids.compactMap { found[$0] }
    }

    /// Cancels `id`; answers its record after.
    func cancel(_ id: TaskID) async throws(KVFailure) -> TaskRecord {
        guard let record = try await records([id]).first else { throw .notFound("no task \(id)") }
        guard !record.state.isFinal else { return record }
        _ = try await consensus.propose(task: .cancel([id], at: nowMilliseconds))
        guard let after = try await records([id]).first else { throw .notFound("no task \(id)") }
        return after
    }

    /// Names of the members, for views.
    func memberNames() -> [NodeID: String] {
        members.mapValues(\.metadata.name)
    }
}
