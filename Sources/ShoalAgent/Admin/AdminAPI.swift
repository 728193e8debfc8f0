/// The admin API's response bodies: the stable contract that scripts and the CLI
/// read. Kept apart from internal types so the inside can change freely.
public enum AdminAPI {
    /// `GET /v1/info`.
    public struct Info: Codable, Sendable, Equatable {
        /// The node id: the hex Ed25519 public key.
        public var id: String
        /// The first 8 bytes of the id, as people see it.
        public var shortID: String
        public var name: String
        public var version: String
        public var clusterID: String
        public var addresses: Addresses
        public var labels: [String: String]
        public var uptimeSeconds: Double
        public var certificateExpiresAt: UInt64
        /// How task processes are limited here (absent from agents older than tasks).
        public var tasks: TaskLimits?

        public init(
            id: String, shortID: String, name: String, version: String, clusterID: String, addresses: Addresses,
            labels: [String: String], uptimeSeconds: Double, certificateExpiresAt: UInt64, tasks: TaskLimits? = nil
        ) {
            self.id = id
            self.shortID = shortID
            self.name = name
            self.version = version
            self.clusterID = clusterID
            self.addresses = addresses
            self.labels = labels
            self.uptimeSeconds = uptimeSeconds
            self.certificateExpiresAt = certificateExpiresAt
            self.tasks = tasks
        }
    }

    /// How this agent confines task processes: `setrlimit` or `cgroup-v2`, and why.
    public struct TaskLimits: Codable, Sendable, Equatable {
        public var mechanism: String
        public var detail: String

        public init(mechanism: String, detail: String) {
            self.mechanism = mechanism
            self.detail = detail
        }
    }

    /// Where this agent listens.
    public struct Addresses: Codable, Sendable, Equatable {
        public var admin: String
        public var metrics: String?
        /// The advertised gossip address, `ip:port`.
        public var gossip: String?

        public init(admin: String, metrics: String?, gossip: String?) {
            self.admin = admin
            self.metrics = metrics
            self.gossip = gossip
        }
    }

    /// The body of every 4xx and 5xx answer: `{"error": {"message": "…"}}`.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            public var message: String
        }

        public var error: Detail

        public init(message: String) { error = Detail(message: message) }
    }
}
