/// Why a submission was refused. Each says what to change; the admin API answers it as a 400
/// (or a 404 for an input that names nothing) with this text.
public enum TaskSpecError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyArgv
    case tooLarge(what: String, limit: Int)
    case invalidArgument(String)
    case invalidEnvironment(key: String)
    case negativeResources(Resources)
    case excessiveResources(Resources)
    case invalidConstraint(String)
    case invalidPath(String, reason: String)
    case duplicatePath(String)
    case invalidTimeout(Int64)
    case invalidRetries(Int)
    case invalidPriority(Int)
    case unknownTask(TaskID)
    case unknownOutput(task: TaskID, path: String)
    case dependsOnItself(TaskID)
    case cycle([TaskID])
    case duplicateTask(TaskID)

    public var description: String {
        switch self {
        case .emptyArgv: "argv is empty: give the command to run after --"
        case .tooLarge(let what, let limit): "\(what) exceeds its limit of \(limit)"
        case .invalidArgument(let reason): "an argument \(reason)"
        case .invalidEnvironment(let key):
            "environment variable '\(key)' is not a valid name (letters, digits and _, not starting with a digit)"
        case .negativeResources(let resources): "resources cannot be negative (\(resources))"
        case .excessiveResources(let resources): "resources beyond any machine (\(resources)): at most 1,000,000m cpu and 64 TiB"
        case .invalidConstraint(let text): "label constraint '\(text)' does not follow the label rule: \(LabelRule.description)"
        case .invalidPath(let path, let reason): "path '\(path)' \(reason)"
        case .duplicatePath(let path): "path '\(path)' is named twice among the inputs and outputs"
        case .invalidTimeout(let value): "timeout \(value) ms is not between 1 ms and 30 days"
        case .invalidRetries(let value): "retries \(value) is not between 0 and \(TaskSpec.maximumRetries)"
        case .invalidPriority(let value): "priority \(value) is not between 0 and 100"
        case .unknownTask(let id): "input names task \(id), which does not exist"
        case .unknownOutput(let task, let path): "input names output '\(path)' of task \(task), which does not list it (nor is it stdout or stderr)"
        case .dependsOnItself(let id): "task \(id) names its own output as an input"
        case .cycle(let ids): "the tasks depend on each other in a cycle: \(ids.map(\.rawValue).joined(separator: " -> "))"
        case .duplicateTask(let id): "task \(id) already exists"
        }
    }
}
