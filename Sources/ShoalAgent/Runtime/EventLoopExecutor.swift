import NIOCore
import NIOPosix

/// Runs the agent's tasks on SwiftNIO's event loop threads (a task executor preference,
/// SE-0417), instead of Swift's cooperative pool.
///
/// Every socket read happens on an event loop; with the default executor the task it resumes
/// (and every actor it calls) then runs on a pool thread, and each send goes back to the loop:
/// two thread wake-ups per message. `MultiThreadedEventLoopGroup.any()` returns the loop the
/// caller is already on, so a job enqueued from a loop thread stays on it (and a loop enqueuing
/// on itself wakes nobody). Measured by `bench/leader.sh`: context switches were the largest
/// single cost of a write on the leader.
final class EventLoopExecutor: TaskExecutor {
    static let shared = EventLoopExecutor(group: .singleton)

    private let group: MultiThreadedEventLoopGroup

    init(group: MultiThreadedEventLoopGroup) { self.group = group }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        group.any().execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
