import Testing

@testable import ShoalMembership

/// A joiner makes itself known even to members its gossip missed: it gossips its own alive
/// statement, and its probes carry that statement until the probed member shows it knows us.
@Suite("introduction")
struct IntroductionTests {
    func carriesOwnAlive(_ datagram: Datagram) -> Bool {
        datagram.messages.contains { if case .gossip(let s) = $0 { s.subject == Fixture.id(0) && s.status == .alive } else { false } }
    }

    /// Ticks until node 0 sends a ping (within 10 s of virtual time) and returns it.
    func nextPing(_ node: inout Membership, sourceLocation: SourceLocation = #_sourceLocation) throws -> SentPing {
        let ping = node.nextPing()
        return try #require(ping, "node 0 sent no ping within 10 s", sourceLocation: sourceLocation)
    }

    @Test("a probe carries our alive statement until the member answers it directly")
    func probeCarriesAliveUntilAcked() throws {
        // Not joined through a seed, so its own statement is not queued: only the introduction carries it.
        var node = Fixture.node(peers: 1)
        let first = try nextPing(&node)
        #expect(carriesOwnAlive(first.datagram), "member 1 may not know us yet")
        _ = node.receive(Datagram(messages: [.ack(seq: first.seq, from: first.target)]), from: first.address, now: first.at + .milliseconds(5))
        let second = try nextPing(&node)
        #expect(second.target == first.target)
        #expect(!carriesOwnAlive(second.datagram), "member 1 answered our ping, so it holds our statement")
    }

    @Test("a member that pinged us is not introduced to; a new life of it is")
    func pingFromMemberMeansItKnowsUs() throws {
        var node = Fixture.node(peers: 1)
        _ = node.receive(Datagram(messages: [.ping(seq: 9, target: Fixture.id(0), from: Fixture.id(1))]), from: Fixture.address(1), now: .zero)
        let first = try nextPing(&node)
        #expect(!carriesOwnAlive(first.datagram))
        _ = node.receive(Datagram(messages: [.ack(seq: first.seq, from: first.target)]), from: first.address, now: first.at + .milliseconds(5))
        // It restarted (higher incarnation): it may have lost what it knew.
        _ = node.receive(Datagram(messages: [.gossip(Fixture.alive(1, 5))]), from: Fixture.address(1), now: first.at + .milliseconds(10))
        #expect(carriesOwnAlive(try nextPing(&node).datagram))
    }

    @Test("a probe request and a forwarded ping introduce us to members that may not know us")
    func probeRequestsIntroduce() throws {
        var node = Fixture.node(peers: 5)
        let ping = try nextPing(&node)
        let middle = node.advance(to: ping.at + .milliseconds(500))
        let requests = middle.sends.filter { datagram, _ in datagram.messages.contains { if case .pingReq = $0 { true } else { false } } }
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { carriesOwnAlive($0.0) })
        let forwarded = node.receive(
            Datagram(messages: [.pingReq(seq: 77, target: Fixture.id(9), targetAddress: Fixture.address(9), from: Fixture.id(1))]),
            from: Fixture.address(1), now: ping.at + .milliseconds(600)
        ).sends
        #expect(forwarded.count == 1 && forwarded[0].1 == Fixture.address(9) && carriesOwnAlive(forwarded[0].0))
    }

    @Test("members restored from this node's own snapshot are not introduced to")
    func restoredMembersKnowUs() throws {
        var node = Fixture.node()
        let entries = (1...3).map { PushPullEntry(alive: Fixture.alive($0, 1), accusation: nil) }
        node.restore(trustedSnapshot: PushPullState(sender: node.ownAlive, entries: entries, isJoin: false), now: .zero)
        #expect(!carriesOwnAlive(try nextPing(&node).datagram))
    }

    @Test("a joiner gossips its own alive statement, not only the seed")
    func joinerGossipsItself() {
        var node = Fixture.node()
        _ = node.join(seeds: [Fixture.address(1)], now: .zero)
        #expect(node.pendingBroadcasts == 1)
        // The seed's reply names member 2; the next gossip round tells it about us.
        _ = node.receivePushPullReply(
            PushPullState(sender: Fixture.alive(1, 1), entries: [PushPullEntry(alive: Fixture.alive(2, 1), accusation: nil)], isJoin: false),
            from: Fixture.address(1), now: .milliseconds(10))
        let gossip = node.advance(to: .milliseconds(400)).sends
        #expect(gossip.contains { $0.1 == Fixture.address(2) && carriesOwnAlive($0.0) })
    }

    @Test("the first push-pull comes within the first period, not after it", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func firstPushPullWithinOnePeriod(seed: UInt64) {
        let node = Membership(
            myself: Fixture.id(0), metadata: Fixture.metadata(0), incarnation: 1, config: Fixture.classic,
            authenticator: Fixture.signer(0), randomSeed: seed, now: .seconds(100))
        #expect(node.nextPushPullAt < .seconds(100) + Fixture.classic.pushPullInterval)
    }

    @Test("a joiner push-pulls again within two follow-up periods of joining; a founder keeps its first period", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func joinerFollowsUp(seed: UInt64) throws {
        let followUp = try #require(Fixture.classic.joinFollowUp)
        var joiner = Membership(
            myself: Fixture.id(0), metadata: Fixture.metadata(0), incarnation: 1, config: Fixture.classic,
            authenticator: Fixture.signer(0), randomSeed: seed, now: .seconds(100))
        _ = joiner.join(seeds: [Fixture.address(1)], now: .seconds(100))
        // Between one and two periods, or sooner when the random first period already fell there.
        #expect(joiner.nextPushPullAt < .seconds(100) + followUp * 2)
        var founder = Membership(
            myself: Fixture.id(0), metadata: Fixture.metadata(0), incarnation: 1, config: Fixture.classic,
            authenticator: Fixture.signer(0), randomSeed: seed, now: .seconds(100))
        let first = founder.nextPushPullAt
        _ = founder.join(seeds: [], now: .seconds(100))
        #expect(founder.nextPushPullAt == first)
    }
}

/// Gossip rounds send extra datagrams while news backs up, and only then.
@Suite("gossip burst")
struct GossipBurstTests {
    /// Gossip-only datagrams (no ping in them) a node sends in its first second.
    static func gossipDatagrams(peers: Int, burst: Int) -> Int {
        var config = Fixture.classic
        config.gossipBurst = burst
        var node = Fixture.node(peers: peers, config: config)
        return node.advance(to: .seconds(1)).sends.filter { send in
            !send.0.messages.contains { if case .ping = $0 { true } else { false } }
        }.count
    }

    @Test("with more news queued than a round carries, a round sends more datagrams than its fanout")
    func backlogSendsMore() {
        // 60 alive statements to pass on: far more than fanout datagrams of ~3 statements each.
        #expect(Self.gossipDatagrams(peers: 60, burst: 4) > Self.gossipDatagrams(peers: 60, burst: 0))
    }

    @Test("however much news is queued, a round sends at most fanout + burst gossip datagrams")
    func burstBounded() {
        // Ten rounds in the first second, each at most fanout + burst datagrams.
        let config = Fixture.classic
        #expect(Self.gossipDatagrams(peers: 200, burst: config.gossipBurst) <= 10 * (config.gossipFanout + config.gossipBurst))
    }

    @Test("with little news queued, rounds send only the fanout: an idle cluster's traffic is unchanged")
    func littleNewsSendsFanout() {
        #expect(Self.gossipDatagrams(peers: 3, burst: 4) == Self.gossipDatagrams(peers: 3, burst: 0))
    }
}
