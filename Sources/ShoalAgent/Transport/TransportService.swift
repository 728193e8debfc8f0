import NIOCore
import ServiceLifecycle
import ShoalTransport

/// Runs the peer transport as a service of the agent: its listener (the gossip TCP port) and
/// every connection live until graceful shutdown, which closes them after the services that
/// use them (membership leaves first: services shut down in reverse order).
struct TransportService: Service {
    let transport: Transport
    let listener: NIOAsyncChannel<NIOAsyncChannel<ByteBuffer, ByteBuffer>, Never>

    func run() async throws {
        let transport = self.transport
        await withGracefulShutdownHandler {
            await transport.run(listener: listener)
        } onGracefulShutdown: {
            transport.shutdown()
            listener.channel.close(promise: nil)
        }
    }
}
