// fuzz-handshake: the transport handshake (Noise XX with certified identities, ShoalTransport),
// what a TCP peer can send before it is authenticated.
//
// Input: a mode byte, then by mode % 4:
//   0  an identity payload, decoded alone;
//   1  a first handshake message, as the responder receives it;
//   2  tamper u16, then the responder's identity payload: a harness responder (`peer`) that
//      follows Noise encrypts it into message 2 for a real initiator;
//   3  tamper u16, then the initiator's identity payload: a harness initiator (`peer`) sends it
//      in message 3 to a real responder.
// A payload whose signature field is 64 zero bytes gets `peer`'s real signature over the
// handshake, so inputs reach the certificate and protocol checks behind it. A non-zero tamper
// flips one bit of the harness's message (at tamper - 1, modulo its length): it must then fail.
import FuzzSupport
import ShoalCrypto
@testable import ShoalTransport

@main
enum FuzzHandshake {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

let now: UInt64 = 1_800_000_000
let authority = ClusterAuthority(signingKey: try! SigningKey(seed: Array(repeating: 0xA5, count: 32)))
let cluster = authority.clusterID
/// The side under test (the agent) and the side the harness plays (a peer).
let agentKey = try! SigningKey(seed: Array(repeating: 0x01, count: 32))
let peerKey = try! SigningKey(seed: Array(repeating: 0x02, count: 32))
let agent = TransportIdentity(
    key: agentKey, certificate: try! authority.issue(nodeKey: agentKey.publicKey, name: "agent", expiresAt: 1_900_000_000),
    authority: authority.publicKey, clusterID: cluster)
let peerCertificate = try! authority.issue(nodeKey: peerKey.publicKey, name: "peer", expiresAt: 1_900_000_000, labels: ["zone": "a"])
func x25519(_ byte: UInt8) -> X25519KeyPair { try! X25519KeyPair(secret: Array(repeating: byte, count: 32)) }
let accepted: Set<ProtocolName> = [.membership, .raft]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0: checkPayload(input.rest())
    case 1: checkFirstMessage(input.rest())
    case 2: checkInitiator(tamper: input.uint16(), payload: input.rest())
    default: checkResponder(tamper: input.uint16(), payload: input.rest())
    }
    return 0
}

func checkPayload(_ bytes: [UInt8]) {
    do {
        let payload = try IdentityPayload(decoding: bytes)
        require(payload.encoded() == bytes, "an identity payload encodes to other bytes")
    } catch {
        guard case .malformed = error else { fatalError("an identity payload was refused with \(error), not malformed") }
    }
}

func responder() -> TransportHandshake {
    TransportHandshake(accepting: accepted, identity: agent, now: now, hardwareAES: true, staticKey: x25519(3), ephemeralKey: x25519(4))
}

func initiator() -> TransportHandshake {
    TransportHandshake(
        initiating: .membership, expecting: nil, identity: agent, now: now, hardwareAES: false, staticKey: x25519(5), ephemeralKey: x25519(6))
}

func checkFirstMessage(_ message: [UInt8]) {
    var handshake = responder()
    guard case .send(let reply)? = try? handshake.receive(message) else { return }
    require(reply.count <= TransportHandshake.maximumMessageBytes, "message 2 of \(reply.count) bytes is over the limit")
    // A second message 1 on the same handshake is out of order, never accepted.
    require((try? handshake.receive(message)) == nil, "a responder took message 1 twice")
}

/// `payload`, with the peer's signature over `hash` put in when its signature field is zero.
func signed(_ payload: [UInt8], hash: [UInt8], role: NoiseXX.Role, staticKey: [UInt8]) -> [UInt8] {
    guard var decoded = try? IdentityPayload(decoding: payload), decoded.signature == Array(repeating: 0, count: 64) else { return payload }
    decoded.signature = peerKey.sign(IdentityPayload.signedBytes(role: role, hash: hash, staticKey: staticKey)).bytes
    return decoded.encoded()
}

func flip(_ message: [UInt8], at tamper: Int) -> [UInt8] {
    guard tamper > 0, !message.isEmpty else { return message }
    var out = message
    out[(tamper - 1) % out.count] ^= 0x01
    return out
}

/// The agent dials the harness: only the certified `peer` establishes, and both ends agree.
func checkInitiator(tamper: Int, payload: [UInt8]) {
    var handshake = initiator()
    let peerStatic = x25519(7)
    var noise = NoiseXX(role: .responder, prologue: TransportHandshake.prologue(cluster), staticKey: peerStatic, ephemeralKey: x25519(8))
    guard let first = try? handshake.start(), (try? noise.readMessage(first)) != nil else { fatalError("message 1 does not read") }
    guard let second = try? noise.writeMessage(payload: { signed(payload, hash: $0, role: .responder, staticKey: peerStatic.publicKey) })
    else { fatalError("the harness cannot write message 2") }
    let step: TransportHandshake.Step
    do {
        step = try handshake.receive(flip(second, at: tamper))
    } catch {
        return
    }
    guard case .sendAndEstablish(let third, let session) = step else { fatalError("message 2 gave \(step)") }
    require(tamper == 0, "a tampered message 2 established a session")
    require(session.peer.key == peerKey.publicKey && session.peer.name == "peer", "established with \(session.peer), not the certified peer")
    require(session.protocolName == .membership, "established for \(session.protocolName), not the protocol asked for")
    guard let (theirs, _) = try? noise.readMessage(third) else { fatalError("the agent's message 3 does not read") }
    require((try? IdentityPayload(decoding: theirs))?.protocolName == "membership/1", "message 3 does not name the protocol")
    require(noise.handshakeHash == session.handshakeHash, "the two ends' handshake hashes differ")
}

/// The harness dials the agent: only the certified `peer`, asking for a registered protocol, establishes.
func checkResponder(tamper: Int, payload: [UInt8]) {
    var handshake = responder()
    let peerStatic = x25519(9)
    var noise = NoiseXX(role: .initiator, prologue: TransportHandshake.prologue(cluster), staticKey: peerStatic, ephemeralKey: x25519(10))
    guard let first = try? noise.writeMessage(payload: { _ in TransportHandshake.helloPayload }),
        case .send(let second)? = try? handshake.receive(first), (try? noise.readMessage(second)) != nil
    else { fatalError("messages 1 and 2 do not pass between honest ends") }
    guard let third = try? noise.writeMessage(payload: { signed(payload, hash: $0, role: .initiator, staticKey: peerStatic.publicKey) })
    else { fatalError("the harness cannot write message 3") }
    let step: TransportHandshake.Step
    do {
        step = try handshake.receive(flip(third, at: tamper))
    } catch {
        return
    }
    guard case .established(let session) = step else { fatalError("message 3 gave \(step)") }
    require(tamper == 0, "a tampered message 3 established a session")
    require(session.peer.key == peerKey.publicKey, "established with \(session.peer), not the certified peer")
    require(accepted.contains(session.protocolName), "established for \(session.protocolName), which is not registered")
    require((try? IdentityPayload(decoding: payload))?.protocolName == session.protocolName.rawValue, "established for another protocol than asked")
    require(noise.handshakeHash == session.handshakeHash, "the two ends' handshake hashes differ")
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let zero = [UInt8](repeating: 0, count: 64)
    func payload(_ certificate: NodeCertificate, _ name: String, capabilities: UInt8 = 1) -> [UInt8] {
        IdentityPayload(capabilities: .init(rawValue: capabilities), certificate: certificate.encoded(), signature: zero, protocolName: name).encoded()
    }
    let expired = try! authority.issue(nodeKey: peerKey.publicKey, name: "peer", expiresAt: 1_700_000_000)
    let stranger = ClusterAuthority(signingKey: try! SigningKey(seed: Array(repeating: 0xEE, count: 32)))
    let foreign = try! stranger.issue(nodeKey: peerKey.publicKey, name: "peer", expiresAt: 1_900_000_000)
    var dialler = initiator()
    return [
        ("payload", [0] + payload(peerCertificate, "raft/1")),
        ("first-message", [1] + (try! dialler.start())),
        ("responder-payload", [2, 0, 0] + payload(peerCertificate, "")),
        ("responder-expired", [2, 0, 0] + payload(expired, "")),
        ("responder-foreign", [2, 0, 0] + payload(foreign, "", capabilities: 0)),
        ("responder-tampered", [2, 0, 40] + payload(peerCertificate, "")),
        ("initiator-payload", [3, 0, 0] + payload(peerCertificate, "membership/1")),
        ("initiator-raft", [3, 0, 0] + payload(peerCertificate, "raft/1")),
        ("initiator-unknown-protocol", [3, 0, 0] + payload(peerCertificate, "objects/1")),
    ]
}
