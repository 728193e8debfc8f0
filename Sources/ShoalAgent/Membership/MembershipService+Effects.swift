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
            case .pushPullReply:
                // Replies are written on the stream that asked (see `merge`); one reaching here has no stream.
                break
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
        let record: AdminAPI.MemberEvent
        switch event {
        case .joined(let member): record = .init(event: "joined", member: .init(member))
        case .updated(let member): record = .init(event: "updated", member: .init(member))
        case .suspected(let member): record = .init(event: "suspected", member: .init(member))
        case .failed(let member): record = .init(event: "failed", member: .init(member))
        case .left(let member): record = .init(event: "left", member: .init(member))
        case .reaped(let id):
            record = .init(event: "reaped", member: nil, id: Hex.encode(id.bytes))
        case .refuted(let incarnation):
            record = .init(event: "refuted", member: nil, incarnation: incarnation)
        }
        let level: Logger.Level = ["failed", "suspected"].contains(record.event) ? .warning : .info
        logger.log(
            level: level, "member \(record.event)",
            metadata: [
                "name": "\(record.member?.name ?? "-")", "id": "\(record.member?.id.prefix(16) ?? record.id?.prefix(16) ?? "-")",
                "incarnation": "\(record.member?.incarnation ?? record.incarnation ?? 0)",
            ])
        for (id, continuation) in subscribers {
            // A client that went away is noticed here, on the next event.
            if case .terminated = continuation.yield(record) { subscribers[id] = nil }
        }
        metrics.setMembers(core.members)
    }

    /// A stream of membership events for `shoal monitor`; ends when the client goes away.
    func subscribe() -> AsyncStream<AdminAPI.MemberEvent> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: AdminAPI.MemberEvent.self, bufferingPolicy: .bufferingNewest(1_024))
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        return stream
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
    func leaveAndClose(tcp: any Channel) async {
        let others = core.members.filter { $0.id != core.myself && ($0.status == .alive || $0.status == .suspect) }
        if !others.isEmpty {
            logger.info("leaving the cluster", metadata: ["members": "\(others.count)"])
            await apply(core.leave(now: now))
            let deadline = clock.now + core.config.leavePropagationTime
            while clock.now < deadline, !core.hasLeft {
                try? await clock.sleep(for: .milliseconds(50))
                await apply(core.tick(now: now))
            }
        }
        stopping = true
        for continuation in subscribers.values { continuation.finish() }
        try? await udp.close()
        try? await tcp.close()
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
