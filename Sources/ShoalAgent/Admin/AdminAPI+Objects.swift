extension AdminAPI {
    /// The answer to `PUT /v1/objects`: the object's id, its length and chunk count, and on how
    /// many nodes it was durable when the put answered.
    public struct ObjectPut: Codable, Sendable, Equatable {
        public var id: String
        public var size: UInt64
        public var chunks: Int
        public var replicas: Int

        public init(id: String, size: UInt64, chunks: Int, replicas: Int) {
            self.id = id
            self.size = size
            self.chunks = chunks
            self.replicas = replicas
        }
    }

    /// A node named in an object's description.
    public struct ObjectHolder: Codable, Sendable, Equatable {
        public var name: String
        public var id: String

        public init(name: String, id: String) {
            self.name = name
            self.id = id
        }
    }

    /// `GET /v1/objects/{id}?describe`: the object's length, chunks, the replicas it was put
    /// with, and the alive members that hold it whole (asked when the request came).
    public struct ObjectInfo: Codable, Sendable, Equatable {
        public var id: String
        public var size: UInt64
        public var chunks: Int
        public var replicas: Int
        public var holders: [ObjectHolder]
        /// The object's homes among the alive members (rendezvous placement), best first.
        public var homes: [ObjectHolder]

        public init(id: String, size: UInt64, chunks: Int, replicas: Int, holders: [ObjectHolder], homes: [ObjectHolder]) {
            self.id = id
            self.size = size
            self.chunks = chunks
            self.replicas = replicas
            self.holders = holders
            self.homes = homes
        }
    }

    /// One row of `GET /v1/objects`: an object this node holds, and whether it is a home for it.
    public struct ObjectEntry: Codable, Sendable, Equatable {
        public var id: String
        public var size: UInt64
        public var chunks: Int
        public var replicas: Int
        /// `home` (one of its homes), `cached` (a copy the disk budget may evict) or `pinned`.
        public var pin: String
        public var home: Bool

        public init(id: String, size: UInt64, chunks: Int, replicas: Int, pin: String, home: Bool) {
            self.id = id
            self.size = size
            self.chunks = chunks
            self.replicas = replicas
            self.pin = pin
            self.home = home
        }
    }
}
