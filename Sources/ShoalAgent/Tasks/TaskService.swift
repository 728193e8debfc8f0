import Foundation
import Logging
import ServiceLifecycle
import ShoalConsensus
import ShoalMembership
import ShoalObjects
import ShoalScheduler
import Synchronization

/// Tasks as the agent runs them (DESIGN "Tasks"). Three loops over the replicated task table:
/// - the **scheduler**, on the leader only: places what is pending onto alive members with the
///   pure `Placer` (one Raft entry per batch), and reports as lost the attempts of members
///   membership has declared dead or gone;
/// - the **executor**, on every agent: follows the attempts assigned to this node through a
///   blocking read, runs each in its own directory and process group, stores its outputs as
///   objects and reports how it ended; kills what is cancelled or taken away;
/// - the membership feed, which says who is alive and what each offers.
actor TaskService: Service {
    struct Settings: Sendable {
        /// `<state_dir>/tasks`: the slots attempts run in (`TaskSlots`).
        var directory: String
        /// Attempts run at once here (`tasks.max_running`).
        var maxRunning = 256
        /// How often the leader looks for pending tasks when nothing wakes it sooner.
        var scheduleInterval: Duration = .milliseconds(50)
        /// How often an agent that does not lead checks whether it has become the leader: most
        /// agents never lead, and at 50 ms this poll was most of an idle agent's wake-ups.
        var leaderPoll: Duration = .milliseconds(250)
        /// How long one blocking read of this node's attempts waits.
        var watchWait: Duration = .seconds(30)
        /// Replicas of each stored output.
        var outputReplicas = 2
        /// At most this many placements per Raft entry.
        var batchLimit = 1_000
        /// How long an attempt's process runs before `started` is reported (a shorter one's
        /// start is in its `finished`).
        var startReportDelay: Duration = .milliseconds(100)
        /// How long a report (started, finished) is retried before the attempt is given up here.
        var reportDeadline: Duration = .seconds(600)
        /// How long an ended task stays in the table (`tasks.retention`).
        var retention: Duration = .seconds(4 * 3_600)
        /// How often the leader looks for ended tasks past `retention`.
        var forgetInterval: Duration = .seconds(60)
        /// After this long running, a member missing from membership is taken as gone.
        var unknownMemberGrace: Duration = .seconds(60)
    }

    /// One attempt: the unit this node runs, reports and kills.
    struct AttemptKey: Hashable, Sendable, CustomStringConvertible {
        let task: TaskID
        let attempt: Int

        /// The attempt's directory name: the task id is path-safe by construction.
        var description: String { "\(task.rawValue).\(attempt)" }
    }

    let settings: Settings
    let myself: NodeID
    let consensus: ConsensusService
    let objects: ObjectService
    let membership: MembershipService
    let clock: ShellClock
    let logger: Logger
    /// What process limits apply: setrlimit, or why not cgroup v2 (`shoal info`).
    nonisolated let isolation: TaskIsolation
    /// The directories attempts run in.
    nonisolated let slots: TaskSlots

    /// The members, as the feed reports them.
    var members: [NodeID: Member] = [:]
    /// Attempts this node is running (or reporting), with the handle that kills them.
    var running: [AttemptKey: RunningAttempt] = [:]
    /// The attempts assigned here, as the last read of the table gave them: `reconcile` runs
    /// over them again when an attempt ends and frees a place under `maxRunning`.
    var lastAssigned: [TaskRecord] = []
    /// Attempts that ended here, newest last, so a stale read does not start one again.
    var ended: Set<AttemptKey> = []
    var endedOrder: [AttemptKey] = []
    /// Attempts left by an earlier run of this agent, to report as lost once the table is read.
    var orphans: Set<AttemptKey> = []
    /// Input object lengths the scheduler has looked up (`localBytes`).
    var objectLengths: [ObjectID: Int64] = [:]
    /// When the scheduler next looks for ended tasks past their retention.
    var nextForgetCheck: Duration = .zero
    /// Where the placer's round-robin starts next.
    var placeCursor = 0
    var stopping = false

    init(
        settings: Settings, myself: NodeID, consensus: ConsensusService, objects: ObjectService, membership: MembershipService, clock: ShellClock,
        logger: Logger
    ) {
        self.settings = settings
        self.myself = myself
        self.consensus = consensus
        self.objects = objects
        self.membership = membership
        self.clock = clock
        self.logger = logger
        isolation = TaskIsolation.detect()
        slots = TaskSlots(root: settings.directory)
    }

    func run() async throws {
        orphans = collectOrphans()
        let feed = await membership.subscribeFeed()
        for member in feed.snapshot { members[member.id] = member }
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await change in feed.changes { await self.observe(change) }
                }
            }
            group.addTask { await cancelWhenGracefulShutdown { await self.scheduleLoop() } }
            group.addTask { await cancelWhenGracefulShutdown { await self.executeLoop() } }
            group.addTask {
                try? await gracefulShutdown()
                await self.stop()
            }
        }
    }

    private func observe(_ change: MembershipFeed.Change) {
        if let member = change.member {
            members[change.id] = member
        } else if change.kind == .reaped {
            members[change.id] = nil
        }
    }

    /// On shutdown the processes this agent started are killed: an attempt does not outlive
    /// its agent (a restarted agent reports what it finds left over as lost).
    private func stop() {
        stopping = true
        for attempt in running.values { attempt.kill(reason: "the agent stopped") }
    }

    /// The wall clock the entries carry, ms since 1970.
    var nowMilliseconds: Int64 { Int64(clock.unixMicroseconds() / 1_000) }
}

/// How task processes are confined on this machine, as `shoal info` reports it.
struct TaskIsolation: Sendable, Equatable {
    /// `setrlimit`, or `cgroup-v2`.
    let mechanism: String
    /// Why, in a sentence.
    let detail: String

    static func detect(cgroupRoot: String = "/sys/fs/cgroup") -> TaskIsolation {
        if FileManager.default.fileExists(atPath: cgroupRoot + "/cgroup.controllers") {
            return TaskIsolation(
                mechanism: "setrlimit",
                detail: "cgroup v2 is mounted, but this agent does not create task cgroups yet: memory is capped with RLIMIT_AS, CPU time with RLIMIT_CPU (cpu x timeout)")
        }
        return TaskIsolation(
            mechanism: "setrlimit",
            detail: "no cgroup v2 hierarchy at \(cgroupRoot): memory is capped with RLIMIT_AS, CPU time with RLIMIT_CPU (cpu x timeout)")
    }
}
