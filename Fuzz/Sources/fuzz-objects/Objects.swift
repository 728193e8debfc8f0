// fuzz-objects: what `objects/1` carries and what the chunk store reads back, as the agent maps
// it (ShoalAgent ObjectService, ChunkEncoding; ShoalObjects Manifest, Multihash): requests a
// certified peer sends (with an inline replica's body), the answers a holder sends back, the
// manifest, and chunk files (zstd or raw) as they arrive or lie on disk.
//
// Input: a mode byte, then by mode % 4:
//   0  a u16-prefixed `ObjectRequest`, then the record's body;
//   1  an `ObjectAnswer`;
//   2  a manifest;
//   3  a u16 size bound (in 64-byte units), then a chunk file.
import Foundation
import FuzzSupport
@testable import ShoalAgent
import ShoalMembership
import ShoalObjects
import ShoalWire
import SwiftProtobuf

@main
enum FuzzObjects {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    switch input.byte() % 4 {
    case 0:
        let header = input.lengthPrefixed()
        // As `PeerConnection.receive` decodes a record's header.
        guard let request = try? Shoal_Wire_V1_ObjectRequest(serializedBytes: header) else { return 0 }
        checkRequest(request, body: input.rest())
    case 1:
        guard let answer = try? Shoal_Wire_V1_ObjectAnswer(serializedBytes: input.rest()) else { return 0 }
        checkAnswer(answer)
    case 2: _ = checkManifest(input.rest())
    default:
        let bound = input.uint16() * 64
        checkChunkFile(input.rest(), maxSize: bound)
    }
    return 0
}

/// One encoding per id: a multihash that parses prints back to its bytes.
func checkMultihash(_ data: Data) {
    guard let multihash = try? Multihash(bytes: [UInt8](data)) else { return }
    require(multihash.bytes == [UInt8](data), "a multihash encodes to other bytes")
}

/// A manifest that decodes is its own canonical encoding, and its id is the hash of it.
func checkManifest(_ bytes: [UInt8]) -> Manifest? {
    let manifest: Manifest
    do {
        manifest = try Manifest(decoding: bytes)
    } catch {
        return nil
    }
    require(manifest.encoded == bytes, "a manifest encodes to other bytes")
    require(manifest.id == ObjectID(Multihash(hashing: bytes)), "a manifest's id is not the hash of its bytes")
    require((0..<manifest.chunks.count).reduce(UInt64(0)) { $0 + UInt64(manifest.size(ofChunk: $1)) } == manifest.totalLength,
            "a manifest's chunk sizes do not add up to its length")
    return manifest
}

func checkRequest(_ request: Shoal_Wire_V1_ObjectRequest, body: [UInt8]) {
    switch request.kind {
    case .locate(let locate)?: checkMultihash(locate.id)
    case .dropped(let dropped)?: checkMultihash(dropped.id)
    case .chunk(let fetch)?: checkMultihash(fetch.address)
    case .suspect(let suspect)?: checkMultihash(suspect.address)
    case .replicate(let replicate)?:
        for holder in replicate.holders { _ = NodeID(bytes: [UInt8](holder)) }
        guard let manifest = checkManifest([UInt8](replicate.manifest)) else { return }
        var distinct = Set(manifest.chunks)
        do {
            try ObjectService.forEachInlineFile(in: body, of: manifest) { file, address, size throws(ObjectError) in
                require(distinct.remove(address) != nil, "an inline body gave a chunk twice or one not in the manifest")
                guard case .success(let chunk) = ChunkEncoding.decode(file, maxSize: size), chunk.count == size, address.isAddress(of: chunk) else {
                    fatalError("an inline chunk passed verification but does not decode to its address")
                }
            }
            require(distinct.isEmpty, "an inline body was taken without every chunk of the manifest")
        } catch {
            guard case .invalid = error else { fatalError("an inline body was refused with \(error), not invalid") }
        }
    case nil: return
    }
}

func checkAnswer(_ answer: Shoal_Wire_V1_ObjectAnswer) {
    guard case .location(let location)? = answer.kind else { return }
    _ = checkManifest([UInt8](location.manifest))
    for holder in location.holders { _ = NodeID(bytes: [UInt8](holder)) }
}

/// A chunk file decodes to at most `maxSize` bytes or is refused; what decodes verifies against
/// its own address, and encodes and decodes back to itself.
func checkChunkFile(_ file: [UInt8], maxSize: Int) {
    guard case .success(let chunk) = ChunkEncoding.decode(file, maxSize: maxSize) else { return }
    if file.count > 4, file[4] == ChunkEncoding.zstd.rawValue {
        require(chunk.count <= maxSize, "a zstd chunk file decoded to \(chunk.count) bytes, over its bound \(maxSize)")
    }
    let address = ChunkAddress(hashing: chunk)
    if file.count <= ChunkEncoding.headerSize + chunk.count + chunk.count / 128 + 4096, chunk.count <= maxSize {
        require(ChunkStore.verify(file: file, address: address, length: chunk.count), "a chunk file does not verify against its own chunk")
    }
    guard let (again, _) = try? ChunkEncoding.encode(chunk, level: 3, minimumSaving: 0.1) else { fatalError("a chunk does not encode") }
    guard case .success(let back) = ChunkEncoding.decode(again, maxSize: chunk.count), back == chunk else {
        fatalError("a chunk encodes to a file that decodes to another")
    }
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let chunks: [[UInt8]] = [Array(repeating: 0x61, count: 1_024), Array((0..<1_024).map { UInt8(truncatingIfNeeded: $0 &* 7) }), Array("tail".utf8)]
    let manifest = try! Manifest(totalLength: 2_052, chunkSize: try! ChunkSize(bytes: 1_024), chunks: chunks.map(ChunkAddress.init(hashing:)))
    var body: [UInt8] = []
    for chunk in chunks {
        let file = try! ChunkEncoding.encode(chunk, level: 3, minimumSaving: 0.1).bytes
        withUnsafeBytes(of: UInt32(file.count).bigEndian) { body += $0 }
        body += file
    }
    func request(_ build: (inout Shoal_Wire_V1_ObjectRequest) -> Void, body: [UInt8] = []) -> [UInt8] {
        var request = Shoal_Wire_V1_ObjectRequest()
        build(&request)
        var writer = FuzzInputWriter()
        writer.byte(0)
        writer.lengthPrefixed(PayloadCodec.encode(request))
        writer.append(body)
        return writer.bytes
    }
    var location = Shoal_Wire_V1_ObjectAnswer()
    location.location = .with {
        $0.held = true
        $0.manifest = Data(manifest.encoded)
        $0.holders = [Data(repeating: 7, count: 32)]
        $0.factor = 2
    }
    let compressed = try! ChunkEncoding.encode(chunks[0], level: 3, minimumSaving: 0.1).bytes
    let raw = try! ChunkEncoding.encode(chunks[2], level: 3, minimumSaving: 0.1).bytes
    return [
        ("locate", request { $0.locate = .with { $0.id = Data(manifest.id.multihash.bytes) } }),
        ("fetch", request { $0.chunk = .with { $0.address = Data(manifest.chunks[1].multihash.bytes) } }),
        ("replicate-inline", request({ $0.replicate = .with { $0.manifest = Data(manifest.encoded); $0.factor = 2; $0.inline = true } }, body: body)),
        ("location", [1] + PayloadCodec.encode(location)),
        ("manifest", [2] + manifest.encoded),
        ("chunk-zstd", [3, 0, 16] + compressed),
        ("chunk-raw", [3, 0, 1] + raw),
    ]
}
