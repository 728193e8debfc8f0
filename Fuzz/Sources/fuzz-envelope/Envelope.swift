// fuzz-envelope: the signed datagram envelope and the replay window (ShoalWire), what every
// gossip datagram passes before any payload decoder sees it.
//
// Input: a mode byte, then by mode % 3:
//   0  a datagram, opened as this node (`receiver`) of cluster `cluster`;
//   1  counter u64 and a payload, sealed by `sender` to `receiver` and opened again;
//   2  big-endian u64 counters, fed to one replay window and checked against a model.
import FuzzSupport
import ShoalCrypto
import ShoalWire

@main
enum FuzzEnvelope {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

let sender = try! SigningKey(seed: Array(repeating: 0x11, count: 32))
let receiver = try! SigningKey(seed: Array(repeating: 0x22, count: 32)).publicKey
let cluster = ClusterID(authority: try! SigningKey(seed: Array(repeating: 0x33, count: 32)).publicKey)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 3 {
    case 0: checkOpen(input.rest())
    case 1: checkSeal(counter: counter(input.take(8)), payload: input.rest())
    default: checkReplayWindow(input.rest())
    }
    return 0
}

func counter(_ bytes: [UInt8]) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }

/// Opens, or refuses with a `WireError`; what opens is exactly what `sender` sealed (Ed25519
/// signs deterministically, so sealing the fields again gives the same bytes).
func checkOpen(_ datagram: [UInt8]) {
    let envelope: Envelope
    do {
        envelope = try Envelope.open(datagram, expecting: cluster, receiver: receiver)
    } catch {
        return
    }
    require(envelope.sender == sender.publicKey, "an envelope opened that \(envelope.sender) cannot have signed")
    require(envelope.clusterID == cluster && envelope.receiver == receiver, "an envelope opened for another cluster or receiver")
    let sealed = try? Envelope.seal(payload: envelope.payload, clusterID: cluster, counter: envelope.counter, key: sender, receiver: receiver)
    require(sealed == datagram, "an opened envelope seals to other bytes")
}

/// Sealing a payload that fits and opening it gives the same fields back; one that does not fit is refused.
func checkSeal(counter: UInt64, payload: [UInt8]) {
    let sealed: [UInt8]
    do {
        sealed = try Envelope.seal(payload: payload, clusterID: cluster, counter: counter, key: sender, receiver: receiver)
    } catch {
        require(payload.count > Envelope.maxPayloadSize, "a payload of \(payload.count) bytes was refused: \(error)")
        return
    }
    require(sealed.count == payload.count + Envelope.overhead, "a sealed envelope is \(sealed.count) bytes")
    do {
        let opened = try Envelope.open(sealed, expecting: cluster, receiver: receiver)
        require(opened == Envelope(clusterID: cluster, sender: sender.publicKey, receiver: receiver, counter: counter, payload: payload),
                "an envelope opens to other fields than it was sealed with")
    } catch {
        fatalError("a sealed envelope does not open: \(error)")
    }
    let elsewhere = try! SigningKey(seed: Array(repeating: 0x44, count: 32)).publicKey
    require((try? Envelope.open(sealed, expecting: cluster, receiver: elsewhere)) == nil, "an envelope opened at another receiver")
}

/// Accepts a counter exactly when it is new and at most `ReplayWindow.size - 1` behind the newest.
func checkReplayWindow(_ bytes: [UInt8]) {
    var window = ReplayWindow()
    var seen: Set<UInt64> = []
    var highest: UInt64?
    var index = 0
    while index + 8 <= bytes.count {
        let value = counter(Array(bytes[index..<index + 8]))
        index += 8
        let expected: Bool
        if let top = highest {
            expected = value > top || (top - value < ReplayWindow.size && !seen.contains(value))
        } else {
            expected = true
        }
        require(window.accept(value) == expected, "the window answered \(!expected) for counter \(value), highest \(String(describing: highest))")
        if expected {
            seen.insert(value)
            highest = max(highest ?? value, value)
        }
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let sealed = try! Envelope.seal(payload: Array("ping".utf8), clusterID: cluster, counter: 1_700_000_000_000_000, key: sender, receiver: receiver)
    let empty = try! Envelope.seal(payload: [], clusterID: cluster, counter: 0, key: sender, receiver: receiver)
    let unbound = try! Envelope.seal(payload: [1, 2, 3], clusterID: cluster, counter: 7, key: sender)
    var counters: [UInt8] = [2]
    for value: UInt64 in [5_000, 4_999, 5_000, 3_977, 3_976, 6_100, 6_099, 1 << 63, 0] {
        for shift in stride(from: 56, through: 0, by: -8) { counters.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
    return [
        ("sealed", [0] + sealed),
        ("sealed-empty", [0] + empty),
        ("unbound", [0] + unbound),
        ("seal", [1, 0, 0, 0, 0, 0, 0, 1, 0] + Array("gossip".utf8)),
        ("replay-window", counters),
    ]
}
