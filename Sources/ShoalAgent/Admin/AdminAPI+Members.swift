import ShoalCrypto
import ShoalMembership

extension AdminAPI {
    /// One member, as `GET /v1/members` and `shoal members --format json` show it.
    public struct Member: Codable, Sendable, Equatable {
        public var name: String
        /// The hex public key.
        public var id: String
        /// `host:port` of its gossip endpoint.
        public var address: String
        /// `alive`, `suspect`, `dead` or `left`.
        public var status: String
        public var incarnation: UInt64
        public var labels: [String: String]
        public var version: String
        public var cpuMillis: UInt32
        public var memoryBytes: UInt64

        init(_ member: ShoalMembership.Member) {
            name = member.metadata.name
            id = Hex.encode(member.id.bytes)
            address = member.metadata.address.description
            status = member.status.rawValue
            incarnation = member.incarnation
            labels = member.metadata.labels
            version = member.metadata.version
            cpuMillis = member.metadata.cpuMillis
            memoryBytes = member.metadata.memoryBytes
        }
    }

    /// One line of `GET /v1/monitor` (newline-delimited JSON).
    public struct MemberEvent: Codable, Sendable, Equatable {
        /// `joined`, `updated`, `suspected`, `failed`, `left`, `reaped` or `refuted`.
        public var event: String
        public var member: Member?
        public var id: String?
        public var incarnation: UInt64?

        /// The API's view of a feed change.
        init(_ change: MembershipFeed.Change) {
            self.init(
                event: change.kind.rawValue, member: change.member.map(Member.init),
                id: change.member == nil && change.kind == .reaped ? Hex.encode(change.id.bytes) : nil,
                incarnation: change.incarnation)
        }

        init(event: String, member: Member?, id: String? = nil, incarnation: UInt64? = nil) {
            self.event = event
            self.member = member
            self.id = id
            self.incarnation = incarnation
        }
    }

    /// `POST /v1/join` body.
    public struct JoinRequest: Codable, Sendable {
        public var addresses: [String]
        public init(addresses: [String]) { self.addresses = addresses }
    }

    /// `POST /v1/join` answer: how many of the addresses answered.
    public struct JoinResponse: Codable, Sendable {
        public var joined: Int
    }

    /// `POST /v1/force-leave` body.
    public struct ForceLeaveRequest: Codable, Sendable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    /// A plain acknowledgement.
    public struct Done: Codable, Sendable {
        public var ok: Bool
        public var message: String
    }
}
