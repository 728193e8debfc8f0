// fuzz-datagram: gossip payloads as the agent maps them (ShoalAgent `WireMapping`): a
// datagram's payload (once its envelope has opened) and a `membership/1` stream message (a
// push-pull or a fallback ping), decoded as the agent decodes each, mapped to the membership
// core's types, then through the certificate gate that filters them.
//
// Input: a mode byte, then by mode % 2: 0 a datagram payload; 1 a stream message.
import Foundation
import FuzzSupport
@testable import ShoalAgent
import ShoalCrypto
import ShoalMembership
import ShoalWire
import SwiftProtobuf

@main
enum FuzzDatagram {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

let now: UInt64 = 1_800_000_000
let authority = ClusterAuthority(signingKey: try! SigningKey(seed: Array(repeating: 0xA5, count: 32)))
let memberKey = try! SigningKey(seed: Array(repeating: 0x07, count: 32))
let member = NodeID(bytes: memberKey.publicKey.bytes)
let myself = NodeID(bytes: Array(repeating: 0x08, count: 32))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    if input.byte() % 2 == 0 { checkDatagram(input.rest()) } else { checkStream(input.rest()) }
    return 0
}

func checkDatagram(_ bytes: [UInt8]) {
    let datagram: Datagram
    do {
        datagram = try WireMapping.decode(
            PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: bytes), authority: authority.publicKey.bytes)
    } catch {
        guard case .malformedPayload = error else { fatalError("a datagram was refused with \(error)") }
        return
    }
    // As the agent sends it (certificate cores; an alive statement without a core left out) and
    // as a peer would read it back.
    let key = authority.publicKey.bytes
    let sendable = Datagram(messages: datagram.messages.filter { WireMapping.carriesCore($0, authority: key) })
    let again = try? WireMapping.decode(
        PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: PayloadCodec.encode(WireMapping.encode(datagram, authority: key))),
        authority: key)
    require(again == sendable, "a datagram maps to the schema and back as another")
    for message in sendable.messages {
        guard case .gossip(let statement) = message else { continue }
        let sent = PayloadCodec.encode(WireMapping.encode(Datagram(messages: [message]), authority: key)).count
        // Packing counts each statement's bound plus 8 (TransmitQueue.take), the datagram's framing included.
        require(sent <= 8 + statement.estimatedSize(elidingCertificateBytes: NodeCertificate.coreOmittedBytes),
                "a statement the agent sends in \(sent) bytes is bounded at \(statement.estimatedSize) less its certificate core")
    }
    var gate = CertificateGate(authority: authority.publicKey, myself: myself)
    let admitted = gate.filter(datagram, from: member, now: now)
    require(admitted.datagram.messages.count + admitted.refusedStatements + admitted.refusedMessages + admitted.impersonations
                == datagram.messages.count, "the gate lost or made up messages")
    require(admitted.datagram.messages.allSatisfy(datagram.messages.contains), "the gate let through a message it was not given")
}

func checkStream(_ bytes: [UInt8]) {
    // As `PeerConnection.receive` decodes a record's header.
    guard let message = try? Shoal_Wire_V1_StreamMessage(serializedBytes: bytes), case .pushPull(let wire)? = message.kind else { return }
    let state: PushPullState
    do {
        state = try WireMapping.decode(wire)
    } catch {
        guard case .malformedPayload = error else { fatalError("a push-pull was refused with \(error)") }
        return
    }
    var reply = Shoal_Wire_V1_StreamMessage()
    reply.pushPull = WireMapping.encode(state, isReply: wire.isReply)
    let again = (try? Shoal_Wire_V1_StreamMessage(serializedBytes: PayloadCodec.encode(reply))).flatMap { message -> PushPullState? in
        guard case .pushPull(let wire)? = message.kind else { return nil }
        return try? WireMapping.decode(wire)
    }
    require(again == state, "a push-pull maps to the schema and back as another")
    let prefiltered = CertificateCache(authority: authority.publicKey).prefilter(state, now: now)
    require(prefiltered.sender == state.sender && prefiltered.entries.allSatisfy(state.entries.contains), "the prefilter changed entries")
    var gate = CertificateGate(authority: authority.publicKey, myself: myself)
    if let filtered = gate.filter(prefiltered, now: now) {
        require(filtered.state.sender == prefiltered.sender && filtered.state.isJoin == prefiltered.isJoin, "the gate changed the exchange")
        require(filtered.state.entries.allSatisfy(prefiltered.entries.contains), "the gate let through an entry it was not given")
        require(filtered.state.entries.count + filtered.refusedEntries + filtered.refusedAccusations == prefiltered.entries.count,
                "the gate lost or made up entries")
        require(filtered.state.entries.allSatisfy { entry in
            entry.accusation.map { gate.isCertified($0.signer, now: now) } ?? true
        }, "the gate let through an accusation by an uncertified accuser")
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let certificate = try! authority.issue(nodeKey: memberKey.publicKey, name: "node-a", expiresAt: 1_900_000_000).encoded()
    let address = MemberAddress(host: "10.0.0.7", port: 7946)
    let meta = MemberMetadata(
        name: "node-a", address: address, labels: ["zone": "a"], cpuMillis: 2_000, memoryBytes: 1 << 30, version: "0.1.0", certificate: certificate)
    let alive = Statement(subject: member, incarnation: 3, claim: .alive(meta), signature: Array(repeating: 1, count: 64))
    let suspect = Statement(subject: myself, incarnation: 1, claim: .suspect(accuser: member), signature: Array(repeating: 2, count: 64))
    let dead = Statement(subject: myself, incarnation: 2, claim: .dead(accuser: member, left: true), signature: Array(repeating: 3, count: 64))
    let datagram = Datagram(messages: [
        .ping(seq: 1, target: myself, from: member), .ack(seq: 1, from: member),
        .pingReq(seq: 2, target: myself, targetAddress: address, from: member), .nack(seq: 2, from: member),
        .gossip(alive), .gossip(suspect), .gossip(dead), .join(alive),
    ])
    let state = PushPullState(sender: alive, entries: [PushPullEntry(alive: alive, accusation: dead)], isJoin: true)
    var stream = Shoal_Wire_V1_StreamMessage()
    stream.pushPull = WireMapping.encode(state, isReply: false)
    var ping = Shoal_Wire_V1_StreamMessage()
    ping.streamPing.seq = 9
    ping.streamPing.target = Data(myself.bytes)
    return [
        ("datagram", [0] + PayloadCodec.encode(WireMapping.encode(datagram))),
        ("datagram-cores", [0] + PayloadCodec.encode(WireMapping.encode(datagram, authority: authority.publicKey.bytes))),
        ("datagram-ping", [0] + PayloadCodec.encode(WireMapping.encode(Datagram(messages: [.ping(seq: 7, target: myself, from: member)])))),
        ("push-pull", [1] + PayloadCodec.encode(stream)),
        ("stream-ping", [1] + PayloadCodec.encode(ping)),
    ]
}
