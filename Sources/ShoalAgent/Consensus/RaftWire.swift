import Logging
import ShoalConsensus
import ShoalCrypto
import ShoalTransport
import ShoalWire
import Synchronization

/// Carries Raft messages between replicas on `raft/1` transport connections.
///
/// Outbound, each peer has one queue and one sender task on one connection, kept while messages
/// flow, that expects that peer's node key (a replica id is its node key), so a message reaches
/// only the replica it names. Raft tolerates loss: a full queue drops the oldest message, a
/// failed send drops that message and the next one dials again. Inbound, a message is delivered only if its `from` is
/// the node the connection's handshake authenticated, and its `to` is this node: a certified
/// node cannot speak for another replica.
final class RaftWire: Sendable {
    /// Where a replica can be reached, as `host:port`, if known (membership answers it).
    typealias Resolver = @Sendable (ReplicaID) -> (host: String, port: Int)?

    private let transport: Transport
    private let myself: ReplicaID
    private let resolve: Resolver
    private let logger: Logger
    private let queues = Mutex<[ReplicaID: AsyncStream<Message>.Continuation]>([:])
    private let senders: AsyncStream<(ReplicaID, AsyncStream<Message>)>.Continuation
    private let newSenders: AsyncStream<(ReplicaID, AsyncStream<Message>)>
    /// Messages refused on arrival (not a Raft message, or not from the connection's peer), for tests and metrics.
    private let refusedCount = Atomic<Int>(0)
    private let sentCount = Atomic<Int>(0)
    private let receivedCount = Atomic<Int>(0)

    /// Messages a peer's queue holds before the oldest is dropped.
    static let queueDepth = 1_024

    init(transport: Transport, myself: ReplicaID, resolve: @escaping Resolver, logger: Logger) {
        self.transport = transport
        self.myself = myself
        self.resolve = resolve
        self.logger = logger
        (newSenders, senders) = AsyncStream.makeStream()
    }

    /// Where inbound messages go; looked up per message, so a replaced replica (a restart)
    /// receives on connections already open.
    ///
    /// The closure is boxed in a class: a closure stored directly in the `Mutex` is re-wrapped
    /// in a reabstraction thunk each time `withLock` hands it out through its `inout`
    /// parameter and takes it back, so every delivery went through one more thunk than the
    /// last (found by `bench/leader.sh`: a leader slowed with every message it had received).
    private let target = Mutex<Receiver?>(nil)

    private final class Receiver: Sendable {
        let deliver: @Sendable (Message) async -> Void
        init(_ deliver: @escaping @Sendable (Message) async -> Void) { self.deliver = deliver }
    }

    /// Routes inbound `raft/1` messages to `deliver`; calling it again replaces the receiver.
    /// Call before the transport runs.
    func register(deliver: @escaping @Sendable (Message) async -> Void) {
        let receiver = Receiver(deliver)
        let first = target.withLock { target -> Bool in
            defer { target = receiver }
            return target == nil
        }
        guard first else { return }
        transport.register(.raft) { [self] connection in
            while true {
                let message: Message
                do throws(TransportError) {
                    let (wire, _) = try await connection.receive(Shoal_Wire_V1_RaftMessage.self)
                    do throws(RaftWireError) {
                        message = try Message(wire: wire)
                    } catch {
                        refused("\(error)", from: connection.peer)
                        return
                    }
                } catch {
                    // Bytes that are no Raft message are refused; a closed connection just ends.
                    if case .badFrame(let reason) = error { refused(reason, from: connection.peer) }
                    return
                }
                guard message.from.bytes == connection.peer.key.bytes, message.to == myself else {
                    refused("sent as \(message.from) to \(message.to)", from: connection.peer)
                    return
                }
                receivedCount.add(1, ordering: .relaxed)
                if let receiver = target.withLock({ $0 }) { await receiver.deliver(message) }
            }
        }
    }

    /// Queues `messages` for their receivers; returns at once.
    func send(_ messages: [Message]) {
        for message in messages where message.to != myself {
            let queue = queues.withLock { queues -> AsyncStream<Message>.Continuation in
                if let queue = queues[message.to] { return queue }
                let (stream, queue) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(Self.queueDepth))
                queues[message.to] = queue
                senders.yield((message.to, stream))
                return queue
            }
            queue.yield(message)
            sentCount.add(1, ordering: .relaxed)
        }
    }

    /// Runs the per-peer senders until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for await (peer, stream) in newSenders {
                group.addTask { await self.sendLoop(to: peer, stream) }
            }
        }
    }

    /// Stops the senders; `run` returns once they have.
    func shutdown() {
        senders.finish()
        queues.withLock { queues in
            for queue in queues.values { queue.finish() }
            queues = [:]
        }
    }

    /// Messages refused on arrival so far.
    var refused: Int { refusedCount.load(ordering: .relaxed) }
    /// Messages queued for peers, and messages delivered from them, so far.
    var sent: Int { sentCount.load(ordering: .relaxed) }
    var received: Int { receivedCount.load(ordering: .relaxed) }

    /// Sends `peer`'s queue in order on one connection, kept for as long as messages flow (a
    /// leader's pipelined stream to a follower); after a failure the next message dials again.
    private func sendLoop(to peer: ReplicaID, _ stream: AsyncStream<Message>) async {
        guard let key = try? PublicKey(bytes: peer.bytes) else { return }
        var iterator = stream.makeAsyncIterator()
        while let first = await iterator.next() {
            guard let (host, port) = resolve(peer) else {
                logger.debug("raft message dropped: no address", metadata: ["to": "\(peer)"])
                continue
            }
            do {
                try await transport.withConnection(to: host, port: port, protocol: .raft, expecting: key) { connection in
                    try await connection.send(first.wire)
                    while let next = await iterator.next() { try await connection.send(next.wire) }
                }
            } catch {
                logger.debug("raft send failed", metadata: ["to": "\(peer)", "error": "\(error)"])
            }
        }
    }

    private func refused(_ reason: String, from peer: PeerIdentity) {
        refusedCount.add(1, ordering: .relaxed)
        logger.warning("raft message refused", metadata: ["from": "\(peer.name)", "reason": "\(reason)"])
    }
}
