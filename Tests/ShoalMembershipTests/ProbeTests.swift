import Testing

@testable import ShoalMembership

/// SWIM §3.1 probing with Lifeguard IV.A health, driven through virtual time.
@Suite("probing")
struct ProbeTests {
    @Test("an unanswered probe asks k members, opens a stream ping, then suspects and tells the suspect")
    func unansweredProbe() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        let middle = node.advance(to: ping.at + .milliseconds(500))
        let requests = middle.messages.filter { if case .pingReq(ping.seq, ping.target, _, _) = $0 { true } else { false } }
        #expect(requests.count == 3)
        #expect(middle.contains { if case .streamPing(ping.target, ping.seq, _) = $0 { true } else { false } })
        let end = node.advance(to: ping.at + .seconds(1))
        #expect(end.events.contains { if case .suspected(let member) = $0 { member.id == ping.target } else { false } })
        #expect(end.sends.contains { datagram, address in
            address == ping.address && datagram.messages.contains { if case .gossip(let s) = $0 { s.status == .suspect } else { false } }
        })
        #expect(node.localHealth == 3, "three nacks were missing")
    }

    @Test("an acked probe suspects no one and improves health")
    func ackedProbe() throws {
        var node = Fixture.node(peers: 5)
        _ = node.receive(Datagram(messages: [.gossip(Fixture.suspect(0, 1, by: 2))]), from: Fixture.address(2), now: .zero)
        #expect(node.localHealth == 1)
        let ping = try node.firstPing()
        _ = node.receive(Datagram(messages: [.ack(seq: ping.seq, from: ping.target)]), from: ping.address, now: ping.at + .milliseconds(5))
        let healthAfterAck = node.localHealth
        let later = node.advance(to: ping.at + .milliseconds(1900))
        #expect(!later.events.contains { if case .suspected(let member) = $0 { member.id == ping.target } else { false } })
        #expect(healthAfterAck == 0)
    }

    @Test("a stream ping that succeeds saves the target from suspicion")
    func streamPingSaves() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        _ = node.advance(to: ping.at + .milliseconds(500))
        _ = node.streamPingResult(target: ping.target, seq: ping.seq, succeeded: true, now: ping.at + .milliseconds(600))
        let later = node.advance(to: ping.at + .seconds(2))
        #expect(!later.events.contains { if case .suspected(let member) = $0 { member.id == ping.target } else { false } })
    }

    @Test("a local send error counts against our health, not against the peer")
    func localSendError() throws {
        var node = Fixture.node(peers: 5)
        let ping = try node.firstPing()
        _ = node.sendFailed(to: ping.address, localError: true, now: ping.at)
        let later = node.advance(to: ping.at + .seconds(1))
        #expect(!later.events.contains { if case .suspected = $0 { true } else { false } })
        #expect(node.localHealth == 1)
    }

    @Test("an intermediary forwards the target's ack, or a nack when it hears nothing")
    func pingRequestForwarding() {
        var node = Fixture.node(peers: 5)
        let request = Datagram(messages: [.pingReq(seq: 77, target: Fixture.id(3), targetAddress: Fixture.address(3), from: Fixture.id(1))])
        let sent = node.receive(request, from: Fixture.address(1), now: .seconds(1))
        guard case .ping(let seq, _, _)? = sent.messages.first(where: { if case .ping = $0 { true } else { false } }) else {
            Issue.record("no ping sent to the target")
            return
        }
        let acked = node.receive(Datagram(messages: [.ack(seq: seq, from: Fixture.id(3))]), from: Fixture.address(3), now: .seconds(1) + .milliseconds(3))
        #expect(acked.sends.contains { $0.1 == Fixture.address(1) && $0.0.messages.contains(.ack(seq: 77, from: Fixture.id(3))) })

        _ = node.receive(request, from: Fixture.address(1), now: .seconds(2))
        let nacked = node.advance(to: .seconds(3))
        #expect(nacked.sends.contains { $0.1 == Fixture.address(1) && $0.0.messages.contains(.nack(seq: 77, from: Fixture.id(0))) })
    }

    @Test("every datagram stays within the payload budget")
    func payloadBudget() {
        var node = Fixture.node(peers: 300)
        let effects = node.advance(to: .seconds(20))
        #expect(!effects.sends.isEmpty)
        #expect(effects.sends.allSatisfy { $0.0.estimatedSize <= MembershipConfig.lan.maxPayloadBytes })
    }
}
