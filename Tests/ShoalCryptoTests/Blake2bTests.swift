import Testing
import ShoalCrypto

@Suite("BLAKE2b-256")
struct Blake2bTests {
    @Test("hashes of \"\" and \"abc\" match the reference vectors", arguments: [
        ("", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
        ("abc", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
    ])
    func vectors(input: String, expected: String) {
        #expect(Blake2b.hash256(Array(input.utf8)).hex == expected)
        #expect(Blake2b.hash256(Array(input.utf8)).description == expected)
    }

    @Test("streaming in uneven pieces gives the one-shot digest")
    func streamingEqualsOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = Blake2bHasher()
        var offset = 0
        var step = 1
        while offset < data.count {
            let end = min(data.count, offset + step)
            hasher.update(Array(data[offset..<end]))
            offset = end
            step = step * 3 + 1
        }
        #expect(hasher.finalize() == Blake2b.hash256(data))
    }

    @Test("different inputs give different digests")
    func distinct() {
        #expect(Blake2b.hash256([0]) != Blake2b.hash256([1]))
    }
}
