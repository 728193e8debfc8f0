// fuzz-certificate: the node certificate and the key and certificate files (ShoalCrypto).
// Every input is decoded as a binary `SHC1` certificate (what a handshake or a gossiped alive
// statement carries); an input that starts with "shoal-" is also written to a file and read
// by the three file loaders (certificate, secret key, public key), as the agent reads its
// state and cluster directories.
import FuzzSupport
import ShoalCrypto

@main
enum FuzzCertificate {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

/// The authority the seeds are signed by (a fixed seed, so the corpus stays valid).
let authority = ClusterAuthority(signingKey: try! SigningKey(seed: Array(repeating: 0xA5, count: 32)))
let nodeKey = try! SigningKey(seed: Array(repeating: 0x5A, count: 32))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).bytes
    checkBinary(bytes)
    if bytes.starts(with: Array("shoal-".utf8)) {
        checkCertificateFile(bytes)
        checkKeyFiles(bytes)
    }
    return 0
}

/// Decodes to a certificate whose one encoding is the input, or refuses as malformed.
func checkBinary(_ bytes: [UInt8]) {
    let certificate: NodeCertificate
    do {
        certificate = try NodeCertificate(decoding: bytes)
    } catch {
        guard case .certificateMalformed = error else { fatalError("certificate refused with \(error), not certificateMalformed") }
        return
    }
    require(certificate.encoded() == bytes, "a decoded certificate encodes to other bytes")
    require((try? NodeCertificate(decoding: certificate.encoded())) == certificate, "a certificate's encoding decodes to another")
    do {
        try certificate.verify(authority: authority.publicKey, now: 1_800_000_000, nodeKey: nodeKey.publicKey)
    } catch {
        switch error {
        case .certificateNotSignedByAuthority, .certificateExpired, .certificateKeyMismatch: break
        default: fatalError("verify failed with \(error)")
        }
    }
}

func checkCertificateFile(_ bytes: [UInt8]) {
    let path = ScratchFile.write(bytes, name: "node.cert", mode: 0o644)
    let certificate: NodeCertificate
    do {
        certificate = try NodeCertificate.load(from: path)
    } catch {
        guard case .certificateMalformed = error else { fatalError("certificate file refused with \(error), not certificateMalformed") }
        return
    }
    let copy = ScratchFile.fresh("copy.cert")
    do {
        try certificate.write(to: copy)
        let again = try NodeCertificate.load(from: copy)
        require(again == certificate, "a certificate file written back reads as another certificate")
    } catch {
        fatalError("a loaded certificate does not write and read back: \(error)")
    }
}

func checkKeyFiles(_ bytes: [UInt8]) {
    let path = ScratchFile.write(bytes, name: "node.key", mode: 0o600)
    do {
        let key = try KeyFile.load(at: path)
        let copy = ScratchFile.fresh("copy.key")
        try KeyFile.write(key, to: copy)
        let again = try KeyFile.load(at: copy)
        require(again.seed == key.seed, "a secret key file written back holds another key")
    } catch {
        guard case .keyFileCorrupt = error else { fatalError("secret key file refused with \(error), not keyFileCorrupt") }
    }
    do {
        let key = try KeyFile.loadPublic(at: path)
        let copy = ScratchFile.fresh("copy.pub")
        try KeyFile.writePublic(key, to: copy)
        let again = try KeyFile.loadPublic(at: copy)
        require(again == key, "a public key file written back holds another key")
    } catch {
        guard case .keyFileCorrupt = error else { fatalError("public key file refused with \(error), not keyFileCorrupt") }
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let plain = try! authority.issue(nodeKey: nodeKey.publicKey, name: "node-a", expiresAt: 1_900_000_000)
    let labelled = try! authority.issue(
        nodeKey: nodeKey.publicKey, name: "web-1.eu", expiresAt: 1_700_000_000, labels: ["zone": "eu-1", "disk": "ssd", "é": ""])
    return [
        ("certificate", plain.encoded()),
        ("certificate-labels", labelled.encoded()),
        ("certificate-file", Array("\(NodeCertificate.fileHeader)\n\(Hex.encode(labelled.encoded()))\n".utf8)),
        ("secret-key-file", Array("\(KeyFile.secretHeader)\n\(Hex.encode(nodeKey.seed))\n".utf8)),
        ("public-key-file", Array("\(KeyFile.publicHeader)\n\(nodeKey.publicKey.hex)".utf8)),
    ]
}
