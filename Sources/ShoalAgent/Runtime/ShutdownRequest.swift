import ServiceLifecycle

/// Ends the agent on request (`shoal leave`): finishing successfully makes the
/// ServiceGroup shut every other service down gracefully, as SIGTERM does.
struct ShutdownRequest: Service {
    let requests: AsyncStream<Void>

    func run() async throws {
        // Cancellation ends the wait when shutdown comes from a signal instead.
        await cancelWhenGracefulShutdown {
            for await _ in requests { return }
        }
    }
}
