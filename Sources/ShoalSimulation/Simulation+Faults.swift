public import ShoalMembership

/// Fault injection. Every fault marks the nodes it touches as impaired, which is what the
/// no-false-death invariant allows to be declared dead.
extension Simulation {
    /// Stops node `index` at once; its protocol state is lost, its persisted incarnation kept.
    public func crash(_ index: Int) {
        nodes[index].crashed = true
        nodes[index].box = nil
        nodes[index].raft = nil
        nodes[index].raftStore.crash()
        nodes[index].inbox = []
        nodes[index].scheduledTick = nil
        nodes[index].impairedUntil = now
    }

    /// Restarts a crashed node with the same identity at persisted incarnation + 1, joining
    /// through `seeds`.
    public func restart(_ index: Int, joiningThrough seeds: [Int]) {
        precondition(nodes[index].crashed || nodes[index].membership == nil, "restart needs a crashed node")
        nodes[index].impairedUntil = now
        agenda.schedule(.start(node: index, seeds: seeds), at: now)
    }

    /// Freezes node `index` (SIGSTOP): no ticks, nothing received until `resume`.
    public func pause(_ index: Int) {
        nodes[index].paused = true
        nodes[index].scheduledTick = nil
        nodes[index].impairedUntil = now
    }

    /// Unfreezes node `index`; what waited in its inbox is delivered now, in arrival order.
    public func resume(_ index: Int) {
        nodes[index].paused = false
        nodes[index].impairedUntil = now
        let waiting = nodes[index].inbox
        nodes[index].inbox = []
        for delivery in waiting { agenda.schedule(.deliver(node: index, delivery), at: now) }
        reschedule(index)
    }

    /// Makes every send of node `index` fail locally (interface down, ENETUNREACH).
    public func setOutboundDown(_ index: Int, _ down: Bool) {
        nodes[index].outboundDown = down
        nodes[index].impairedUntil = now
    }

    /// Cuts the cluster into `groups`: no traffic between different groups, either way. With
    /// `failingSends`, a send across the cut fails at its sender (a firewall's OUTPUT drop, EPERM)
    /// while sends within a group succeed; otherwise it vanishes on the way.
    public func partition(_ groups: [[Int]], failingSends: Bool = false) {
        heal()
        for (number, members) in groups.enumerated() {
            for index in members { group[index] = number + 1 }
        }
        for from in 1...groups.count {
            for to in 1...groups.count where from != to {
                blockedLinks.insert(GroupLink(from: from, to: to))
                if failingSends { failingLinks.insert(GroupLink(from: from, to: to)) }
            }
        }
        markPartitioned()
    }

    /// Cuts traffic from `from` to `to` only; the other direction still flows.
    public func partitionOneWay(from: [Int], to: [Int]) {
        heal()
        for index in from { group[index] = 1 }
        for index in to { group[index] = 2 }
        blockedLinks.insert(GroupLink(from: 1, to: 2))
        markPartitioned()
    }

    /// Removes every partition.
    public func heal() {
        for index in nodes.indices where nodes[index].partitioned {
            nodes[index].partitioned = false
            nodes[index].impairedUntil = now
        }
        blockedLinks = []
        failingLinks = []
        group = Array(repeating: 0, count: nodes.count)
    }

    /// Starts a graceful leave of node `index`.
    public func leave(_ index: Int) {
        guard let box = nodes[index].box else { return }
        nodes[index].leaving = true
        nodes[index].impairedUntil = now
        let effects = box.state.leave(now: now)
        inject(effects, from: index)
    }

    /// Delivers a hand-made datagram from node `from` to node `to` (e.g. a forgery).
    public func inject(_ datagram: Datagram, from: Int, to: Int) {
        inject([.send(datagram, to: nodes[to].metadata.address, receiver: nodes[to].id)], from: from)
    }

    /// Carries out effects as if node `index` had produced them.
    public func inject(_ effects: [MembershipEffect], from index: Int) {
        carryOutExternally(effects, of: index)
    }

    /// Records, for every observer, when it first reports `subject` dead.
    public func trackDeath(of subject: Int) {
        trackedDeaths[subject] = [:]
    }

    /// First time each observer reported `subject` dead (after `trackDeath(of:)`).
    public func deathReports(of subject: Int) -> [Int: Duration] {
        trackedDeaths[subject] ?? [:]
    }
}

extension Simulation {
    /// Marks every node on either side of a blocked link as partitioned.
    func markPartitioned() {
        for link in blockedLinks {
            for index in nodes.indices where group[index] == link.from || group[index] == link.to {
                nodes[index].partitioned = true
                nodes[index].impairedUntil = now
            }
        }
    }
}
