import Foundation
import ShoalConsensus
import ShoalWire

/// The leader's part: choosing voters, handing over, and the operator's view of the group.
extension ConsensusService {
    /// Makes at most one voter change, as `VoterPolicy` says, while this replica leads.
    func manageVoters(_ node: Node) async {
        guard let status = lastStatus, status.role == .leader else { return }
        let configuration = await node.configuration
        let followers = await node.followers
        var candidates = members.map { id, member in
            VoterPolicy.Candidate(
                id: id, healthy: member.status == .alive, since: since[id] ?? .zero, zone: member.metadata.labels["zone"],
                caughtUp: followers[id].map { $0.match > 0 && $0.match + 64 >= status.commitIndex } ?? false)
        }
        if members[myself] == nil { candidates.append(VoterPolicy.Candidate(id: myself, healthy: true, since: .zero)) }
        let now = clock.elapsed()
        guard let change = settings.policy.next(
            configuration: configuration, leader: myself, candidates: candidates, now: now, lastChange: lastVoterChange)
        else { return }
        do {
            try await node.changeConfiguration(change)
            lastVoterChange = now
            logger.notice("raft voters", metadata: ["change": "\(describe(change))"])
        } catch {
            logger.debug("raft voter change deferred", metadata: ["change": "\(describe(change))", "error": "\(error)"])
        }
    }

    private func describe(_ change: ConfigurationChange) -> String {
        switch change {
        case .addVoter(let id): "promote \(addresses.name(of: id) ?? "\(id)") to voter"
        case .addLearner(let id): "add \(addresses.name(of: id) ?? "\(id)") as a standby"
        case .remove(let id): "remove \(addresses.name(of: id) ?? "\(id)")"
        }
    }

    /// Hands leadership to `target`, or to the most up-to-date other voter; from any agent (the
    /// request goes to the leader).
    func transferLeadership(to target: ReplicaID?) async throws(KVFailure) {
        guard case .replica(let node) = phase, lastStatus?.role == .leader else {
            guard let leader = knownLeader, leader != myself else { throw .unavailable("no leader is known") }
            var request = Shoal_Wire_V1_LeaderRequest()
            request.transfer = .with { $0.target = target.map { Data($0.bytes) } ?? Data() }
            let response: Shoal_Wire_V1_LeaderResponse
            do {
                response = try await call(leader, request, timeout: settings.requestDeadline)
            } catch {
                throw .unavailable("the leader did not answer: \(error)")
            }
            if case .error(let error)? = response.result {
                throw error.code == .invalid ? .invalid(error.message) : .unavailable(error.message)
            }
            return
        }
        let configuration = await node.configuration
        let followers = await node.followers
        let chosen = target ?? configuration.voters.filter { $0 != myself }.max { (followers[$0]?.match ?? 0) < (followers[$1]?.match ?? 0) }
        guard let chosen else { throw .invalid("this group has no other voter to hand over to") }
        guard chosen != myself else { return }
        guard configuration.isVoter(chosen) else { throw .invalid("\(addresses.name(of: chosen) ?? "\(chosen)") is not a voter") }
        do {
            try await node.transferLeadership(to: chosen)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// The group as this leader sees it; nil unless it leads.
    func leaderPeers() async -> Shoal_Wire_V1_RaftPeers? {
        guard case .replica(let node) = phase, let status = lastStatus, status.role == .leader else { return nil }
        let configuration = await node.configuration
        let followers = await node.followers
        var peers = Shoal_Wire_V1_RaftPeers()
        peers.leader = Data(myself.bytes)
        peers.term = status.term
        peers.commitIndex = status.commitIndex
        peers.leaderSince = leaderSince?.at ?? 0
        for id in configuration.voters + configuration.learners {
            peers.peers.append(.with {
                $0.id = Data(id.bytes)
                $0.role = configuration.isVoter(id) ? "voter" : "standby"
                $0.matchIndex = id == myself ? status.commitIndex : followers[id]?.match ?? 0
                $0.recentlyActive = id == myself || followers[id]?.recentlyActive == true
                if let ticks = followers[id]?.ticksSinceContact {
                    $0.lastContactMs = UInt64((settings.tickInterval * Int(ticks)) / .milliseconds(1))
                }
            })
        }
        return peers
    }

    /// The group's peers, from the leader wherever this agent is (asking the members in turn
    /// until one leads or names the leader).
    func peers() async throws(KVFailure) -> Shoal_Wire_V1_RaftPeers {
        let deadline = clock.elapsed() + settings.requestDeadline
        while true {
            if let peers = await leaderPeers() { return peers }
            let others = aliveMembers.filter { $0 != myself }
            if let target = knownLeader.flatMap({ $0 == myself ? nil : $0 }) ?? (others.isEmpty ? nil : others[forwardAttempt % others.count]) {
                forwardAttempt &+= 1
                var request = Shoal_Wire_V1_LeaderRequest()
                request.peers = .init()
                switch (try? await call(target, request, timeout: .seconds(2)))?.result {
                case .peers(let peers)?:
                    knownLeader = target
                    return peers
                case .error(let error)?:
                    knownLeader = ReplicaID(bytes: [UInt8](error.leader)).flatMap { $0 == target ? nil : $0 }
                default:
                    if knownLeader == target { knownLeader = nil }
                }
            }
            guard clock.elapsed() < deadline else { throw .unavailable("no member named a leader") }
            try? await clock.sleep(.milliseconds(50))
        }
    }

    /// This agent's part in the group: leader, follower, candidate, or client (no replica).
    var role: String {
        switch lastStatus?.role {
        case .leader?: "leader"
        case .candidate?, .preCandidate?: "candidate"
        case .follower?: "follower"
        case nil: "client"
        }
    }

    /// The leader lease, as configured.
    var lease: Duration { settings.tickInterval * settings.raft.leaseTicks }
}
