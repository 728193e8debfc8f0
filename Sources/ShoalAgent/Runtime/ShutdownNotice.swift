import Logging
import ServiceLifecycle

/// A service that does nothing until shutdown begins, then tells systemd
/// (STOPPING=1) and the log, so that `systemctl stop` shows the agent leaving.
struct ShutdownNotice: Service {
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        notifier.notify("STOPPING=1")
        logger.info("shutting down")
    }
}
