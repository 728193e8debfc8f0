import Synchronization

/// An in-memory network of transports for tests: dialling an address registered here hands the
/// other end of a `MemoryLink` pair to the transport at that address. No socket, no port.
public final class MemoryNetwork: Sendable {
    private let transports = Mutex<[String: Transport]>([:])

    public init() {}

    /// Makes `transport` reachable at `address` (`ip:port`).
    public func attach(_ transport: Transport, at address: String) {
        transports.withLock { $0[address] = transport }
    }

    /// Removes the transport at `address`: later dials fail as a refused connection would.
    public func detach(_ address: String) {
        _ = transports.withLock { $0.removeValue(forKey: address) }
    }

    /// A dialer whose connections appear to come from `address`.
    public func dialer(from address: String) -> any Dialer { MemoryDialer(network: self, source: address) }

    func transport(at address: String) -> Transport? { transports.withLock { $0[address] } }
}

struct MemoryDialer: Dialer {
    let network: MemoryNetwork
    let source: String

    func dial(host: String, port: Int, timeout: Duration, _ use: (any Link) async -> Void) async throws {
        let address = "\(host):\(port)"
        guard let target = network.transport(at: address) else {
            throw TransportError.connectFailed(address: address, reason: "Connection refused")
        }
        let (local, remote) = MemoryLink.pair(aAddress: source, bAddress: address)
        target.accept(remote)
        await use(local)
        local.close()
    }
}
