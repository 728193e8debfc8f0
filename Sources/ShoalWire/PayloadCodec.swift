public import SwiftProtobuf

/// Decodes schema payloads from untrusted bytes with bounds: a size cap, a nesting
/// depth cap, and unknown fields discarded (a newer peer's additions are ignored,
/// not stored and re-sent).
public enum PayloadCodec {
    /// Nesting deeper than this is refused (our schema needs 4).
    static let depthLimit = 16

    /// Decodes a `M` from `bytes`, mapping every library error to `WireError.malformedPayload`.
    public static func decode<M: SwiftProtobuf.Message>(
        _ type: M.Type, from bytes: [UInt8], maxSize: Int = Frame.defaultMaxSize
    ) throws(WireError) -> M {
        guard bytes.count <= maxSize else { throw .oversized(size: bytes.count, limit: maxSize) }
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = depthLimit
        options.discardUnknownFields = true
        do {
            return try M(serializedBytes: bytes, options: options)
        } catch {
            throw .malformedPayload(reason: String(describing: error))
        }
    }

    /// Encodes `message`; the schema's own types always encode.
    public static func encode(_ message: some SwiftProtobuf.Message) -> [UInt8] {
        // Serialising a fully-initialised proto3 message cannot fail (no required fields).
        (try? message.serializedBytes()) ?? []
    }
}
