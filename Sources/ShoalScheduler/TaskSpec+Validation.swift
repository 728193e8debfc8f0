extension TaskSpec {
    /// Arguments and environment entries at most.
    public static let maximumArguments = 4096
    /// Bytes of argv and environment together, as Linux's `ARG_MAX` budget for one exec roughly.
    public static let maximumCommandBytes = 256 << 10
    /// Inputs, outputs and constraints, each at most.
    public static let maximumFiles = 1024
    /// Attempts after the first, at most.
    public static let maximumRetries = 20
    /// The longest timeout: 30 days.
    public static let maximumTimeoutMilliseconds: Int64 = 30 * 24 * 3600 * 1000
    /// Output paths that name the task's standard streams, always collected.
    public static let streamOutputs: Set<String> = ["stdout", "stderr"]

    /// Checks everything that can be checked without the cluster's state: throws the first
    /// problem found, and accepts nothing that the agent could not run as stated.
    public func validate() throws(TaskSpecError) {
        guard !argv.isEmpty, !argv[0].isEmpty else { throw .emptyArgv }
        guard argv.count + environment.count <= Self.maximumArguments else { throw .tooLarge(what: "argv and environment entries", limit: Self.maximumArguments) }
        let bytes = argv.reduce(0) { $0 + $1.utf8.count + 1 } + environment.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 2 }
        guard bytes <= Self.maximumCommandBytes else { throw .tooLarge(what: "argv and environment bytes", limit: Self.maximumCommandBytes) }
        for argument in argv where argument.utf8.contains(0) { throw .invalidArgument("contains a NUL byte") }
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard Self.isEnvironmentName(key), !value.utf8.contains(0) else { throw .invalidEnvironment(key: key) }
        }
        guard resources.cpuMillis >= 0, resources.memoryBytes >= 0 else { throw .negativeResources(resources) }
        guard resources.cpuMillis <= 1_000_000, resources.memoryBytes <= 64 << 40 else { throw .excessiveResources(resources) }
        guard constraints.count <= Self.maximumFiles else { throw .tooLarge(what: "label constraints", limit: Self.maximumFiles) }
        for constraint in constraints where !LabelRule.isValid(key: constraint.key, value: constraint.value) {
            throw .invalidConstraint(constraint.description)
        }
        guard inputs.count <= Self.maximumFiles, outputs.count <= Self.maximumFiles else { throw .tooLarge(what: "inputs or outputs", limit: Self.maximumFiles) }
        var paths: Set<String> = []
        for path in inputs.map(\.name) + outputs {
            try Self.checkRelativePath(path)
            guard !Self.streamOutputs.contains(path) else { throw .invalidPath(path, reason: "is reserved for the task's standard streams") }
            guard paths.insert(path).inserted else { throw .duplicatePath(path) }
        }
        for input in inputs {
            if case .output(_, let path) = input.source, !Self.streamOutputs.contains(path) { try Self.checkRelativePath(path) }
        }
        if let timeout = timeoutMilliseconds, !(1...Self.maximumTimeoutMilliseconds).contains(timeout) { throw .invalidTimeout(timeout) }
        guard (0...Self.maximumRetries).contains(retries) else { throw .invalidRetries(retries) }
        guard (0...100).contains(priority) else { throw .invalidPriority(priority) }
    }

    /// A path inside the task's directory: relative, no `.` or `..` or empty component, no NUL,
    /// at most 1,024 bytes. Symlinks are the executor's to refuse when it collects outputs.
    static func checkRelativePath(_ path: String) throws(TaskSpecError) {
        guard !path.isEmpty, path.utf8.count <= 1024 else { throw .invalidPath(path, reason: "must be 1 to 1024 bytes") }
        guard !path.hasPrefix("/") else { throw .invalidPath(path, reason: "must be relative to the task's directory") }
        guard !path.utf8.contains(0) else { throw .invalidPath(path, reason: "contains a NUL byte") }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) where component.isEmpty || component == "." || component == ".." {
            throw .invalidPath(path, reason: "must not contain empty, '.' or '..' components (it must stay inside the task's directory)")
        }
    }

    static func isEnvironmentName(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first), key.utf8.count <= 256 else { return false }
        return key.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
