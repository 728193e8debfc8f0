import Testing

@testable import ShoalMembership

/// Every datagram the core sends names the node it is sealed for (ShoalWire's receiver-bound
/// envelope): the member at the address it goes to, or the node a request names as its sender.
@Suite("datagram receivers")
struct ReceiverTests {
    /// Each send with the receiver it is sealed for.
    func sealed(_ effects: [MembershipEffect]) -> [(datagram: Datagram, address: MemberAddress, receiver: NodeID)] {
        effects.compactMap { if case .send(let d, let address, let receiver) = $0 { (d, address, receiver) } else { nil } }
    }

    /// The fixture's node whose address is `address`.
    func owner(of address: MemberAddress) -> NodeID? {
        (0...10).first { Fixture.address($0) == address }.map(Fixture.id)
    }

    @Test("probes, probe requests, suspicions, gossip and the leave notice are sealed for the member addressed")
    func ownSendsSealedForTheirMember() {
        var node = Fixture.node(peers: 5)
        // Nobody answers: the node probes, asks helpers, suspects, tells suspects, gossips; then it leaves.
        var effects = node.advance(to: .seconds(30))
        effects += node.leave(now: .seconds(30))
        effects += node.advance(to: .seconds(40))
        let sends = sealed(effects)
        #expect(sends.contains { $0.datagram.messages.contains { if case .pingReq = $0 { true } else { false } } })
        #expect(sends.contains { $0.datagram.messages.contains { if case .gossip(let s) = $0 { s.status == .suspect } else { false } } })
        let misaddressed = sends.filter { owner(of: $0.address) != $0.receiver }
        #expect(misaddressed.isEmpty, "\(misaddressed.count) of \(sends.count) sealed for someone else")
    }

    @Test("an answer is sealed for the node the request names as its sender", arguments: [
        ("ping", Datagram(messages: [.ping(seq: 5, target: Fixture.id(0), from: Fixture.id(7))])),
        ("ping-req for us", Datagram(messages: [.pingReq(seq: 5, target: Fixture.id(0), targetAddress: Fixture.address(0), from: Fixture.id(7))])),
    ])
    func repliesSealedForRequester(kind: String, request: Datagram) {
        var node = Fixture.node(peers: 2)
        // From another address than the requester's own: the answer goes back where the request
        // came from, sealed for whoever signed it.
        let sends = sealed(node.receive(request, from: Fixture.address(9), now: .seconds(1)))
        #expect(sends.count == 1, "\(kind)")
        #expect(sends.first?.address == Fixture.address(9), "\(kind)")
        #expect(sends.first?.receiver == Fixture.id(7), "\(kind)")
    }

    @Test("a forwarded probe is sealed for its target, and the ack or nack owed for the requester")
    func forwardingSealed() throws {
        var node = Fixture.node(peers: 5)
        let request = Datagram(messages: [.pingReq(seq: 77, target: Fixture.id(3), targetAddress: Fixture.address(3), from: Fixture.id(1))])
        let forwarded = sealed(node.receive(request, from: Fixture.address(1), now: .seconds(1)))
        let ping = try #require(forwarded.first { $0.datagram.messages.contains { if case .ping = $0 { true } else { false } } })
        #expect(ping.receiver == Fixture.id(3))
        guard case .ping(let seq, _, _)? = ping.datagram.messages.first(where: { if case .ping = $0 { true } else { false } }) else { return }
        let relayed = sealed(node.receive(Datagram(messages: [.ack(seq: seq, from: Fixture.id(3))]), from: Fixture.address(3), now: .seconds(1)))
        #expect(relayed.map(\.receiver) == [Fixture.id(1)])

        _ = node.receive(
            Datagram(messages: [.pingReq(seq: 78, target: Fixture.id(4), targetAddress: Fixture.address(4), from: Fixture.id(2))]),
            from: Fixture.address(2), now: .seconds(2))
        let nacks = sealed(node.advance(to: .seconds(3))).filter {
            $0.datagram.messages.contains(.nack(seq: 78, from: Fixture.id(0)))
        }
        #expect(nacks.map(\.receiver) == [Fixture.id(2)])
    }
}
