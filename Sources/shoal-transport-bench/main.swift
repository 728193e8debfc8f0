// Transport throughput, side by side in one run (README "Transport"): the bulk AEADs on one
// core, raw loopback TCP through NIO, and authenticated, encrypted payload between two
// transports on loopback. `swift run -c release shoal-transport-bench [SECONDS]`.
import CBoringAEAD
import CSodium
import Crypto
import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import ShoalCrypto
import ShoalTransport
import ShoalWire
import Synchronization

AllocatorTuning.keepFrameBuffersInHeap()
let seconds = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 3
let chunk = 1 << 20
let payload = Data((0..<chunk).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) })

func rate(_ bytes: Int, _ elapsed: Duration) -> Double {
    Double(bytes) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) / 1e9
}

func timeLoop(_ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    var bytes = 0
    while clock.now - start < .seconds(seconds / 3) {
        body()
        bytes += chunk
    }
    return rate(bytes, clock.now - start)
}

let only = ProcessInfo.processInfo.environment["SHOAL_BENCH_ONLY"]
print("Shoal transport bench: 1 MiB buffers, \(seconds) s per transfer; GB/s = 10^9 bytes/s")
if only == "transport" {
    let (secure, cipher) = try await transport()
    print(String(format: "transport, %@, two nodes  %.2f GB/s", cipher, secure))
    exit(0)
}
let aesKey = SymmetricKey(size: .bits256)
let nonce = try AES.GCM.Nonce(data: [UInt8](repeating: 0, count: 12))
let aes = timeLoop { _ = try! AES.GCM.seal(payload, using: aesKey, nonce: nonce) }
let chachaNonce = try ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))
let chacha = timeLoop { _ = try! ChaChaPoly.seal(payload, using: aesKey, nonce: chachaNonce) }
let sodiumKey = AEADKey.generate()
let bytes = [UInt8](payload)
let xchacha = timeLoop { _ = AEAD.seal(bytes, key: sodiumKey, counter: 1) }
// libsodium's AES-256-GCM (AES-NI), sealing in place into a reused buffer: no copy at all.
var inPlace = bytes
var tag = [UInt8](repeating: 0, count: 16)
let sodiumAESKey = [UInt8](repeating: 7, count: 32), sodiumNonce = [UInt8](repeating: 0, count: 12)
_ = sodium_init()
let sodiumAES = crypto_aead_aes256gcm_is_available() == 1
    ? timeLoop {
        var tagLength: UInt64 = 0
        inPlace.withUnsafeMutableBufferPointer { buffer in
            _ = crypto_aead_aes256gcm_encrypt_detached(
                buffer.baseAddress!, &tag, &tagLength, buffer.baseAddress!, UInt64(buffer.count), nil, 0, nil, sodiumNonce, sodiumAESKey)
        }
    } : 0
// BoringSSL's AES-256-GCM through its C interface, sealing into a reused buffer as the
// transport does (no copy besides the encryption's own writes).
let rawContext = [UInt8](repeating: 7, count: 32).withUnsafeBufferPointer {
    CCryptoBoringSSL_EVP_AEAD_CTX_new(CCryptoBoringSSL_EVP_aead_aes_256_gcm(), $0.baseAddress, 32, 16)!
}
var sealedOut = [UInt8](repeating: 0, count: chunk + 16)
let rawAES = timeLoop {
    var written = 0
    sealedOut.withUnsafeMutableBufferPointer { output in
        bytes.withUnsafeBufferPointer { input in
            _ = CCryptoBoringSSL_EVP_AEAD_CTX_seal(
                rawContext, output.baseAddress, &written, output.count, sodiumNonce, 12, input.baseAddress, input.count, nil, 0)
        }
    }
}
CCryptoBoringSSL_EVP_AEAD_CTX_free(rawContext)
print(String(format: "AEAD, one core:  AES-256-GCM (BoringSSL, into a buffer, as the transport seals) %.2f GB/s", rawAES))
print(String(format: "AEAD, one core, swift-crypto's API with its copies:  AES-256-GCM (BoringSSL) %.2f GB/s   ChaCha20-Poly1305 (BoringSSL) %.2f GB/s   XChaCha20-Poly1305 (libsodium) %.2f GB/s   AES-256-GCM in place (libsodium) %.2f GB/s   hardware AES: %@", aes, chacha, xchacha, sodiumAES, BulkCipher.hasHardwareAES ? "yes" : "no"))

/// Raw TCP over loopback through NIO: a sink server and one client writing 1 MiB buffers.
func rawTCP() async throws -> Double {
    final class Sink: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .childChannelInitializer { $0.pipeline.addHandler(Sink()) }
        .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 1_024, initial: 4_096, maximum: 256 << 10))
        .bind(host: "127.0.0.1", port: 0).get()
    let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: server.localAddress!.port!) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    let buffer = ByteBuffer(bytes: payload)
    let clock = ContinuousClock()
    let start = clock.now
    var sent = 0
    try await client.executeThenClose { _, outbound in
        while clock.now - start < .seconds(seconds) {
            try await outbound.write(buffer)
            sent += chunk
        }
    }
    let elapsed = clock.now - start
    try await server.close()
    return rate(sent, elapsed)
}

/// Authenticated, encrypted payload between two transports on loopback: the client streams
/// 1 MiB bodies on one connection, the server's handler receives and counts them.
func transport() async throws -> (Double, String) {
    let authority = ClusterAuthority(signingKey: .generate())
    func identity(_ name: String) throws -> TransportIdentity {
        let key = SigningKey.generate()
        let certificate = try authority.issue(nodeKey: key.publicKey, name: name, expiresAt: UInt64.max / 2)
        return TransportIdentity(key: key, certificate: certificate, authority: authority.publicKey, clusterID: ClusterID(authority: authority.publicKey))
    }
    let wall: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970) }
    let metrics = TransportMetrics(factory: NOOPMetricsHandler.instance)
    let server = Transport(identity: try identity("server"), clock: ContinuousClock(), wallClock: wall, metrics: metrics, logger: Logger(label: "bench"))
    let client = Transport(identity: try identity("client"), clock: ContinuousClock(), wallClock: wall, metrics: metrics, logger: Logger(label: "bench"))
    let received = ReceivedCounter()
    server.register(.objects) { connection in
        while let (_, body) = try? await connection.receive(Shoal_Wire_V1_StreamPing.self) { received.add(body.count) }
    }
    let listener = try await TCPListener.bind(host: "127.0.0.1", port: 0)
    let port = listener.channel.localAddress!.port!
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await server.run(listener: listener) }
        group.addTask { await client.run() }
        let connection = try await client.connect(to: "127.0.0.1", port: port, protocol: .objects)
        let cipher = connection.session.cipher.rawValue
        var header = Shoal_Wire_V1_StreamPing()
        let clock = ContinuousClock()
        let start = clock.now
        var seq: UInt64 = 0
        while clock.now - start < .seconds(seconds) {
            header.seq = seq
            seq += 1
            try await connection.send(header, body: payload)
        }
        // Count what arrived, once the pipe has drained.
        let sent = Int(seq) * chunk
        while received.value < sent, clock.now - start < .seconds(seconds * 3) { try await Task.sleep(for: .milliseconds(1)) }
        let elapsed = clock.now - start
        connection.close()
        client.shutdown()
        server.shutdown()
        listener.channel.close(promise: nil)
        group.cancelAll()
        return (rate(received.value, elapsed), cipher)
    }
}

final class ReceivedCounter: Sendable {
    private let count = Mutex(0)
    func add(_ bytes: Int) { count.withLock { $0 += bytes } }
    var value: Int { count.withLock { $0 } }
}

let tcp = try await rawTCP()
let (secure, cipher) = try await transport()
let target = min(1.5, 0.7 * min(tcp, rawAES))
print(String(format: "loopback TCP (NIO, no crypto)          %.2f GB/s", tcp))
print(String(format: "transport, %@, two nodes  %.2f GB/s   = %.2f x TCP, %.2f x AEAD; target %.2f GB/s: %@", cipher, secure, secure / tcp, secure / rawAES, target, secure >= target ? "met" : "NOT met"))
