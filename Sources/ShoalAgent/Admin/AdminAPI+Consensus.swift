extension AdminAPI {
    /// The response header of every `/v1/kv` read: the read's index, to pass back as `?index=`
    /// for a blocking read that answers once what was read changes.
    public static let indexHeaderName = "X-Shoal-Index"

    /// `GET /v1/leader`: the cluster's leader as this agent knows it.
    public struct Leader: Codable, Sendable, Equatable {
        /// The leader's hex node id.
        public var id: String
        public var name: String
        public var term: UInt64
        /// When it became leader of this term (unix seconds), as it reports.
        public var since: UInt64
        /// The leader lease: how long after a quorum's acknowledgement it serves reads alone.
        public var leaseMilliseconds: Int
        /// The leader's commit index.
        public var commitIndex: UInt64
        /// This agent's part: `leader`, `follower`, `candidate` (voters and standbys) or `client`.
        public var role: String
    }

    /// `GET /v1/raft/peers`: the group as its leader sees it, and every other member as a client.
    public struct RaftPeers: Codable, Sendable, Equatable {
        public struct Peer: Codable, Sendable, Equatable {
            public var id: String
            public var name: String
            /// `voter`, `standby` or `client`.
            public var role: String
            /// The highest log index known to be on the peer (voters and standbys).
            public var matchIndex: UInt64?
            /// Heard from within the leader's last election timeout.
            public var recentlyActive: Bool?
            /// Milliseconds since the leader last heard from it (a follower the leader has heard
            /// from since its election).
            public var lastContactMilliseconds: UInt64?
        }

        public var leader: String
        public var term: UInt64
        public var commitIndex: UInt64
        public var peers: [Peer]
    }

    /// `POST /v1/raft/transfer`: hand leadership to `name`, or to the most up-to-date voter.
    public struct TransferRequest: Codable, Sendable, Equatable {
        public var name: String?

        public init(name: String?) { self.name = name }
    }

    /// One key of `/v1/kv`; `value` is base64, as Consul's.
    public struct KVPair: Codable, Sendable, Equatable {
        public var key: String
        public var value: String
        public var createIndex: UInt64
        public var modifyIndex: UInt64
    }

    /// The answer to a key-value write: the log index it committed at, and the term of the
    /// leader that committed it (together, its fencing token).
    public struct KVWrite: Codable, Sendable, Equatable {
        public var index: UInt64
        public var term: UInt64
    }
}

extension AdminAPI {
    /// A duration as the API and the CLI write it: `500ms`, `30s`, `5m`, `2h`; nil for anything
    /// else (a sign, a fraction, a unit missing, an overflow).
    public static func duration(_ text: String) -> Duration? {
        for (unit, milliseconds) in [("ms", Int64(1)), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)] where text.hasSuffix(unit) {
            let digits = text.dropLast(unit.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let count = Int64(digits), count >= 0 else { return nil }
            let (total, overflow) = count.multipliedReportingOverflow(by: milliseconds)
            return overflow ? nil : .milliseconds(total)
        }
        return nil
    }

    /// A size as the configuration and the CLI write it: bytes, or with a binary unit,
    /// `64KiB`, `512MiB`, `20GiB`, `1TiB` (`KB`, `MB`, … and `K`, `M`, … read alike); nil for
    /// anything else or an overflow.
    public static func byteCount(_ text: String) -> UInt64? {
        let units: [(String, UInt64)] = [
            ("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20),
            ("KB", 1 << 10), ("T", 1 << 40), ("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10), ("B", 1),
        ]
        for (suffix, unit) in units where text.hasSuffix(suffix) {
            guard let count = UInt64(text.dropLast(suffix.count)) else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: unit)
            return overflow ? nil : product
        }
        return UInt64(text)
    }
}
