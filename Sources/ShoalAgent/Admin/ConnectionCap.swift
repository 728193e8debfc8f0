import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// A child channel that refuses connections over a cap by closing them as soon as they are
/// accepted, and counts each refusal.
///
/// Hummingbird's `MaximumAvailableConnections` stops accepting instead: connections over the
/// cap wait, uncounted, in the kernel's listen backlog until a slot frees, so a client sees a
/// hang rather than a refusal and the operator sees nothing. Closing at once keeps the agent's
/// descriptors bounded all the same, and tells both.
struct ConnectionCap<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    /// Connections open now; shared by every event loop that accepts.
    final class Count: Sendable {
        let open = Atomic<Int>(0)
    }

    struct Refused: Error {}

    let base: Base
    let maximum: Int
    let count: Count
    let onRefused: @Sendable () -> Void

    init(_ base: Base, maximum: Int, onRefused: @escaping @Sendable () -> Void) {
        self.base = base
        self.maximum = maximum
        self.count = Count()
        self.onRefused = onRefused
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let admitted = count.open.add(1, ordering: .relaxed).newValue
        guard admitted <= maximum else {
            count.open.subtract(1, ordering: .relaxed)
            onRefused()
            channel.close(promise: nil)
            // NIO drops a child whose initializer failed; the server keeps accepting.
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let count = self.count
        channel.closeFuture.whenComplete { _ in count.open.subtract(1, ordering: .relaxed) }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
