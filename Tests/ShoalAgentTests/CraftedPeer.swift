import Foundation
import ShoalCrypto
import ShoalMembership
import ShoalWire

@testable import ShoalAgent

/// A node played by the test itself: its own key, a certificate from whichever authority the
/// test picks (with an expiry in seconds), and datagrams sealed for one agent.
struct CraftedPeer {
    let key = SigningKey.generate()
    let name: String
    let certificate: NodeCertificate
    private let counter = CounterBox()
    var id: NodeID { NodeID(bytes: key.publicKey.bytes) }

    init(name: String, certifiedBy authority: ClusterAuthority, expiresAt: UInt64 = UInt64(Date().timeIntervalSince1970) + 3_600) throws {
        self.name = name
        certificate = try authority.issue(nodeKey: key.publicKey, name: name, expiresAt: expiresAt)
    }

    /// Its alive statement, advertising `socket`'s address.
    func alive(at socket: PeerSocket, incarnation: UInt64 = 1) -> Statement {
        let metadata = MemberMetadata(
            name: name, address: MemberAddress(host: socket.host, port: socket.port), certificate: certificate.encoded())
        return Statement.signed(subject: id, incarnation: incarnation, claim: .alive(metadata), by: Ed25519Authenticator(key: key))
    }

    /// `messages` sealed as one datagram for `receiver` of `cluster`.
    func seal(_ messages: [MembershipMessage], cluster: ClusterID, receiver: PublicKey) throws -> [UInt8] {
        let payload = PayloadCodec.encode(WireMapping.encode(Datagram(messages: messages)))
        return try Envelope.seal(payload: payload, clusterID: cluster, counter: counter.value.take(), key: key, receiver: receiver)
    }
}

/// A peer's envelope counter, shared by its copies: two datagrams sealed within one
/// microsecond must not be taken for a replay.
private final class CounterBox {
    var value = EnvelopeCounter(start: UInt64(Date().timeIntervalSince1970 * 1_000_000))
}

/// One UDP socket shared by crafted peers: what the agent answers comes back here, in the
/// order it was sent.
final class PeerSocket {
    let fd: Int32
    let host: String
    let port: UInt16

    init(host: String) {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, host, &address.sin_addr)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        fd = descriptor
        self.host = host
        port = UInt16(bigEndian: bound.sin_port)
    }

    func send(_ bytes: [UInt8], to host: String, port: UInt16) {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, bytes, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// The messages of every datagram that arrives sealed for one of `peers` by an agent of
    /// `cluster` (whose authority rebuilds the certificate cores it sends), in arrival order,
    /// until `stop` holds for the messages so far or `timeout` passes; the second value says
    /// whether `stop` held.
    func receive(
        for peers: [CraftedPeer], cluster authority: ClusterAuthority, timeout: Duration,
        until stop: ([(to: NodeID, MembershipMessage)]) -> Bool
    ) -> (messages: [(to: NodeID, MembershipMessage)], stopped: Bool) {
        let cluster = authority.clusterID
        let deadline = ContinuousClock.now + timeout
        var messages: [(to: NodeID, MembershipMessage)] = []
        var buffer = [UInt8](repeating: 0, count: 2_048)
        while ContinuousClock.now < deadline {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { continue }
            let bytes = Array(buffer[0..<count])
            for peer in peers {
                guard let envelope = try? Envelope.open(bytes, expecting: cluster, receiver: peer.key.publicKey),
                    let wire = try? PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: envelope.payload),
                    let datagram = try? WireMapping.decode(wire, authority: authority.publicKey.bytes)
                else { continue }
                messages += datagram.messages.map { (to: peer.id, $0) }
            }
            if stop(messages) { return (messages, true) }
        }
        return (messages, false)
    }

    deinit { close(fd) }
}

/// The value of the counter `name{reason="…"}` in a metrics text, 0 when absent.
func droppedCount(_ reason: String, in metrics: String) -> Int {
    let line = metrics.split(separator: "\n").first { $0.contains("reason=\"\(reason)\"") }
    return line.flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? 0) } ?? 0
}

/// An agent's identity key, from its member list entry.
func nodeKey(of name: String, in cluster: LocalCluster, seenBy i: Int) async throws -> PublicKey? {
    guard let member = try await cluster.members(seenBy: i).first(where: { $0.name == name }) else { return nil }
    return try PublicKey(hex: member.id)
}
