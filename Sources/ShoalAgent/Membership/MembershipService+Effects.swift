import Logging
import NIOCore
import ServiceLifecycle
import ShoalCrypto
import ShoalMembership

extension MembershipService {
    /// Carries out the core's effects in order.
    func apply(_ effects: [MembershipEffect]) async {
        for effect in effects {
            switch effect {
            case .send(let datagram, let address, let receiver):
                await send(datagram, to: address, receiver: receiver)
            case .pushPull(let state, let address):
                streamJobs?.yield(.pushPull(state, to: address))
            case .streamPing(let target, let seq, let address):
                streamJobs?.yield(.streamPing(target: target, seq: seq, to: address))
            case .persistIncarnation(let value):
                do {
                    try incarnations.store(value)
                } catch {
                    logger.error("\(error)")
                }
            case .event(let event):
                if case .reaped(let id) = event { gate.forget(id) }
                report(event)
            }
        }
        metrics.setLocalHealth(core.localHealth)
    }

    private func report(_ event: MembershipEvent) {
        let change: MembershipFeed.Change
        switch event {
        case .joined(let member): change = publish(.joined, member: member, id: member.id)
        case .updated(let member): change = publish(.updated, member: member, id: member.id)
        case .suspected(let member): change = publish(.suspected, member: member, id: member.id)
        case .failed(let member): change = publish(.failed, member: member, id: member.id)
        case .left(let member): change = publish(.left, member: member, id: member.id)
        case .reaped(let id): change = publish(.reaped, member: nil, id: id)
        case .refuted(let incarnation): change = publish(.refuted, member: nil, id: core.myself, incarnation: incarnation)
        }
        let record = AdminAPI.MemberEvent(change)
        let level: Logger.Level = ["failed", "suspected"].contains(record.event) ? .warning : .info
        logger.log(
            level: level, "member \(record.event)",
            metadata: [
                "name": "\(record.member?.name ?? "-")", "id": "\(record.member?.id.prefix(16) ?? record.id?.prefix(16) ?? "-")",
                "incarnation": "\(record.member?.incarnation ?? record.incarnation ?? 0)",
            ])
        metrics.setMembers(core.members)
    }

    /// A stream of membership events for `shoal monitor`: a bounded consumer of the feed (a
    /// client that stops reading loses the oldest events, never the agent's memory); ends when
    /// the client goes away or the agent stops.
    func subscribe() -> AsyncMapSequence<AsyncStream<MembershipFeed.Change>, AdminAPI.MemberEvent> {
        subscribeFeed(bound: 1_024).changes.map { AdminAPI.MemberEvent($0) }
    }

    /// `shoal force-leave NAME`: returns whether a dead or suspect member of that name was marked left.
    func forceLeave(name: String) async -> Bool {
        let before = core.members.filter { $0.metadata.name == name && $0.status == .left }.count
        await apply(core.forceLeave(name: name, now: now))
        return core.members.filter { $0.metadata.name == name && $0.status == .left }.count > before
    }

    /// `shoal leave`: leave gracefully, then shut the agent down.
    func leaveThenExit() {
        requestShutdown()
    }

    /// Announces the leave, keeps answering until it has spread (or nobody is left to tell),
    /// then closes the sockets.
    func leaveAndClose() async {
        let others = core.members.filter { $0.id != core.myself && ($0.status == .alive || $0.status == .suspect) }
        if !others.isEmpty {
            logger.info("leaving the cluster", metadata: ["members": "\(others.count)"])
            await apply(core.leave(now: now))
            let deadline = now + core.config.leavePropagationTime
            while now < deadline, !core.hasLeft {
                try? await clock.sleep(.milliseconds(50))
                await apply(core.tick(now: now))
            }
        }
        stopping = true
        finishFeed()
        try? await udp.close()
    }
}

extension MembershipService: Service {}

extension AgentConfiguration.Profile {
    /// The core's timing for this profile.
    var membershipConfig: MembershipConfig {
        switch self {
        case .lan: .lan
        case .wan: .wan
        case .local: .local
        }
    }
}
