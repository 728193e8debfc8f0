import Benchmark
import ShoalCompression
import ShoalCrypto
import ShoalWire

/// Envelope sign+encode and verify+decode per second, and zstd throughput.
/// The target: verify+decode ≥ 15,000 envelopes/s on one core.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 1_000_000)

    let key = SigningKey.generate()
    let receiver = SigningKey.generate().publicKey
    let cluster = ClusterID(authority: SigningKey.generate().publicKey)
    let payload = datagramPayload()

    Benchmark("envelope sign+encode (1 datagram)") { benchmark in
        var counter = EnvelopeCounter(start: 1)
        for _ in benchmark.scaledIterations {
            blackHole(try Envelope.seal(payload: payload, clusterID: cluster, counter: counter.take(), key: key, receiver: receiver))
        }
    }

    let sealed = try! Envelope.seal(payload: payload, clusterID: cluster, counter: 1, key: key, receiver: receiver)
    Benchmark("envelope verify+decode (1 datagram)") { benchmark in
        for _ in benchmark.scaledIterations {
            let envelope = try Envelope.open(sealed, expecting: cluster, receiver: receiver)
            blackHole(try PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: envelope.payload))
        }
    }

    // The floor: what libsodium's Ed25519 verify alone does, printed beside verify+decode.
    let signedBytes = Array(sealed[0..<(sealed.count - Signature.byteCount)])
    let signature = try! Signature(bytes: Array(sealed[(sealed.count - Signature.byteCount)...]))
    Benchmark("ed25519 verify alone (libsodium)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(key.publicKey.isValidSignature(signature, for: signedBytes))
        }
    }

    let chunk = compressibleChunk(size: 1 << 20)
    Benchmark("zstd compress 1 MiB (level 3)", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Zstd.compress(chunk)) }
    }

    let compressed = try! Zstd.compress(chunk)
    Benchmark("zstd decompress 1 MiB", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try Zstd.decompress(compressed, maxSize: 2 << 20)) }
    }
}

/// A realistic datagram: a ping and four piggybacked alive statements.
func datagramPayload() -> [UInt8] {
    var datagram = Shoal_Wire_V1_Datagram()
    var ping = Shoal_Wire_V1_Message()
    ping.ping.seq = 12_345
    ping.ping.target = .init(repeating: 7, count: 32)
    ping.ping.from = .init(repeating: 8, count: 32)
    datagram.messages.append(ping)
    for i in 0..<4 {
        var alive = Shoal_Wire_V1_Message()
        alive.gossip.alive.subject = .init(repeating: UInt8(i), count: 32)
        alive.gossip.alive.incarnation = UInt64(i)
        alive.gossip.alive.meta.name = "node-\(i)"
        alive.gossip.alive.meta.host = "10.0.0.\(i)"
        alive.gossip.alive.meta.port = 7946
        alive.gossip.alive.signature = .init(repeating: 9, count: 64)
        datagram.messages.append(alive)
    }
    return PayloadCodec.encode(datagram)
}

/// Text-like bytes that compress about as well as logs or JSON do.
func compressibleChunk(size: Int) -> [UInt8] {
    let words = ["shoal", "agent", "member", "alive", "suspect", "chunk", "object", "leader", "\n", " ", "{\"k\":", "1234"]
    var state: UInt64 = 42
    var out: [UInt8] = []
    out.reserveCapacity(size)
    while out.count < size {
        state = state &* 6_364_136_223_846_793_005 &+ 1
        out.append(contentsOf: words[Int(state >> 33) % words.count].utf8)
    }
    return Array(out.prefix(size))
}
