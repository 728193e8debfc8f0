import Synchronization

/// One attempt this node runs: its process once started, and whether (and why) the agent
/// killed it. A kill that comes before the process exists is kept and carried out at start.
final class RunningAttempt: Sendable {
    private struct State {
        var process: TaskProcess?
        var killed: String?
    }

    private let state = Mutex(State())

    /// Keeps the started process; kills its group at once if a kill came first.
    func started(_ process: TaskProcess) {
        let killNow = state.withLock { state in
            state.process = process
            return state.killed != nil
        }
        if killNow { process.killGroup() }
    }

    /// Kills the process group (now, or as soon as it starts) and remembers why.
    func kill(reason: String) {
        let process = state.withLock { state in
            if state.killed == nil { state.killed = reason }
            return state.process
        }
        process?.killGroup()
    }

    /// Why the agent killed it, if it did.
    var killedReason: String? { state.withLock { $0.killed } }
}
