/// The dependency order of one submission's tasks (edges only within the submission count:
/// tasks already in the table were checked when they were submitted, and cannot depend on new ones).
enum TaskGraph {
    /// The submissions with every task after the ones it depends on (stable otherwise). Callers
    /// check `cycle(in:)` first; tasks on a cycle keep their given order.
    static func order(_ submissions: [TaskSubmission]) -> [TaskSubmission] {
        let byID = Dictionary(submissions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var placed: Set<TaskID> = []
        var ordered: [TaskSubmission] = []
        func visit(_ submission: TaskSubmission, depth: Int) {
            guard placed.insert(submission.id).inserted else { return }
            if depth < submissions.count {
                for dependency in submission.spec.dependencies { if let next = byID[dependency] { visit(next, depth: depth + 1) } }
            }
            ordered.append(submission)
        }
        for submission in submissions { visit(submission, depth: 0) }
        return ordered
    }

    /// A cycle among the submission's dependencies, as the ids along it (first repeated at the
    /// end), or nil when there is none.
    static func cycle(in submissions: [TaskSubmission]) -> [TaskID]? {
        let byID = Dictionary(submissions.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        enum Mark { case visiting, done }
        var marks: [TaskID: Mark] = [:]
        var path: [TaskID] = []
        func visit(_ id: TaskID) -> [TaskID]? {
            switch marks[id] {
            case .done?: return nil
            case .visiting?: return Array(path[path.firstIndex(of: id)!...]) + [id]
            case nil: break
            }
            marks[id] = .visiting
            path.append(id)
            for dependency in byID[id]!.spec.dependencies where byID[dependency] != nil {
                if let cycle = visit(dependency) { return cycle }
            }
            path.removeLast()
            marks[id] = .done
            return nil
        }
        for submission in submissions { if let cycle = visit(submission.id) { return cycle } }
        return nil
    }
}
