// Chunk-address hash candidates, side by side in one run (issue "Objects"): each hashes 1 MiB
// buffers on one core for a fixed time. `swift run -c release shoal-objects-bench [SECONDS]`.
import Crypto
import ShoalCrypto
import ShoalObjects

let seconds = CommandLine.arguments.dropFirst().first.flatMap(Double.init) ?? 2
let chunkBytes = 1 << 20
let buffer = (0..<chunkBytes).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 7) }

/// Hashes `buffer` repeatedly for `seconds` and answers GB/s (10^9 bytes per second).
func measure(_ hash: ([UInt8]) -> UInt8) -> Double {
    let clock = ContinuousClock()
    var sink: UInt8 = 0
    for _ in 0..<8 { sink ^= hash(buffer) }  // warm caches and lazy initialisation
    let start = clock.now
    var bytes = 0
    while clock.now - start < .seconds(seconds) {
        sink ^= hash(buffer)
        bytes += chunkBytes
    }
    let elapsed = clock.now - start
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    precondition(sink != 0 || bytes > 0)
    return Double(bytes) / elapsedSeconds / 1e9
}

let candidates: [(String, ([UInt8]) -> UInt8)] = [
    ("BLAKE2b-256 (libsodium crypto_generichash)", { Blake2b.hash256($0).bytes[0] }),
    ("SHA-256 (swift-crypto, BoringSSL)", { Crypto.SHA256.hash(data: $0).withUnsafeBytes { $0[0] } }),
    ("SHA-256 (libsodium, portable C)", { ShoalCrypto.SHA256.hash($0)[0] }),
    ("ShoalObjects ChunkAddress (\(HashAlgorithm.chunkAddressing))", { ChunkAddress(hashing: $0).multihash.digest[0] }),
]

var chunker = Chunker(chunkSize: .standard)
let chunking: (String, ([UInt8]) -> UInt8) = ("ShoalObjects Chunker.append (cut, copy, hash)", { try! chunker.append($0).first!.address.multihash.digest[0] })

print("Shoal objects bench: one core, 1 MiB buffers, \(seconds) s each; GB/s = 10^9 bytes/s")
for (name, hash) in candidates + [chunking] {
    let rate = measure(hash)
    let hundredths = Int((rate * 100).rounded())
    let padded = name + String(repeating: " ", count: max(0, 48 - name.count))
    print("\(padded) \(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100) GB/s")
}
