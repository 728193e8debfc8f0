import Foundation
import Logging
import MetricsTestKit
import ShoalCrypto

@testable import ShoalTransport

/// A certified node for transport tests: a key, a certificate from `authority`, and the identity built from them.
struct TestNode {
    let key = SigningKey.generate()
    let identity: TransportIdentity

    init(name: String, authority: ClusterAuthority, cluster: ClusterID? = nil, expiresAt: UInt64 = UInt64.max / 2) throws {
        let certificate = try authority.issue(nodeKey: key.publicKey, name: name, expiresAt: expiresAt)
        identity = TransportIdentity(
            key: key, certificate: certificate, authority: authority.publicKey,
            clusterID: cluster ?? ClusterID(authority: authority.publicKey))
    }

    /// The same node, checking peers against `authority` instead.
    func trusting(_ authority: PublicKey, cluster: ClusterID) -> TransportIdentity {
        TransportIdentity(key: key, certificate: identity.certificate, authority: authority, clusterID: cluster)
    }
}

let now: UInt64 = 1_800_000_000

func handshakes(
    _ initiator: TransportIdentity, _ responder: TransportIdentity, asking: ProtocolName = .membership,
    accepting: Set<ProtocolName> = [.membership], at time: UInt64 = now
) -> (TransportHandshake, TransportHandshake) {
    (
        TransportHandshake(
            initiating: asking, expecting: nil, identity: initiator, now: time, hardwareAES: true, staticKey: .generate(),
            ephemeralKey: .generate()),
        TransportHandshake(
            accepting: accepting, identity: responder, now: time, hardwareAES: true, staticKey: .generate(),
            ephemeralKey: .generate())
    )
}

/// Runs a handshake to the end in memory; returns both sessions or the first error.
func complete(_ initiator: inout TransportHandshake, _ responder: inout TransportHandshake) throws(HandshakeError)
    -> (EstablishedSession, EstablishedSession)
{
    let first = try initiator.start()
    guard case .send(let second) = try responder.receive(first) else { throw .outOfOrder }
    guard case .sendAndEstablish(let third, let initiatorSession) = try initiator.receive(second) else { throw .outOfOrder }
    guard case .established(let responderSession) = try responder.receive(third) else { throw .outOfOrder }
    return (initiatorSession, responderSession)
}

/// A transport on an in-memory network with a counting metrics factory.
func memoryTransport(_ node: TestNode, network: MemoryNetwork, address: String, metrics: TestMetrics = TestMetrics(),
                     configuration: TransportConfiguration = TransportConfiguration()) -> Transport {
    let transport = Transport(
        identity: node.identity, configuration: configuration, clock: ContinuousClock(), wallClock: { now },
        dialer: network.dialer(from: address), metrics: TransportMetrics(factory: metrics), logger: Logger(label: "test"))
    network.attach(transport, at: address)
    return transport
}
