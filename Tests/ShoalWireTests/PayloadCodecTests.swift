import Foundation
import Testing

@testable import ShoalWire

@Suite("payload schema")
struct PayloadCodecTests {
    @Test("a datagram of several messages round-trips")
    func roundTrip() throws {
        var ping = Shoal_Wire_V1_Message()
        ping.ping.seq = 9
        ping.ping.target = Data([1, 2, 3])
        var alive = Shoal_Wire_V1_Message()
        alive.gossip.alive.incarnation = 4
        alive.gossip.alive.meta.name = "web-1"
        alive.gossip.alive.meta.labels = ["zone": "a"]
        var datagram = Shoal_Wire_V1_Datagram()
        datagram.messages = [ping, alive]
        let decoded = try PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: PayloadCodec.encode(datagram))
        #expect(decoded == datagram)
    }

    @Test("every truncation and bit flip of a payload decodes or fails with a typed error, never traps")
    func hostileBytes() throws {
        var message = Shoal_Wire_V1_Message()
        message.gossip.alive.meta.name = "node"
        message.gossip.alive.signature = Data(repeating: 7, count: 64)
        var datagram = Shoal_Wire_V1_Datagram()
        datagram.messages = [message, message]
        let bytes = PayloadCodec.encode(datagram)
        var failures = 0
        for length in 0..<bytes.count {
            do { _ = try PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: Array(bytes[0..<length])) } catch { failures += 1 }
        }
        for index in bytes.indices {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= UInt8(1 << bit)
                do { _ = try PayloadCodec.decode(Shoal_Wire_V1_Datagram.self, from: flipped) } catch { failures += 1 }
            }
        }
        #expect(failures > 0)
    }
}
