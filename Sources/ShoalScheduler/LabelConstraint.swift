/// A placement constraint on a node's labels: the node must carry label `key` with exactly
/// `value` (`zone=a`, `gpu=1`), as Nomad's `constraint` with `=` and Kubernetes' nodeSelector.
public struct LabelConstraint: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The label's name.
    public let key: String
    /// The value it must have.
    public let value: String

    /// A constraint as given (validation checks the characters).
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// Parses `key=value` under the node-label rule (`LabelRule`), else nil.
    public init?(parsing text: String) {
        guard let (key, value) = LabelRule.parse(text) else { return nil }
        self.key = key
        self.value = value
    }

    /// True when `labels` has `key` set to `value`.
    public func isSatisfied(by labels: [String: String]) -> Bool { labels[key] == value }

    /// Key, then value.
    public static func < (lhs: LabelConstraint, rhs: LabelConstraint) -> Bool { (lhs.key, lhs.value) < (rhs.key, rhs.value) }

    /// `key=value`.
    public var description: String { "\(key)=\(value)" }
}
