public import Foundation
public import SwiftProtobuf
import Synchronization

/// One authenticated, encrypted connection to a certified peer, for one protocol.
///
/// Frames are `u32 length || nonce || AEAD(record) || tag`, the length authenticated as
/// additional data; a record is a protobuf message plus an optional bulk body, so a chunk is
/// decrypted straight into the bytes its caller gets. Sends and receives may run at once
/// (pipelining); sends are serialised frame by frame, and suspend while the peer is slow to
/// read, so a slow peer cannot make this side buffer without bound.
public final class PeerConnection: Sendable {
    /// Who the peer is and what it asked for (or what we asked it for).
    public let session: EstablishedSession
    /// The peer's `ip:port` as the socket saw it.
    public let remoteAddress: String?
    let reader: ConnectionReader
    let writer: ConnectionWriter
    private let link: any Link
    private let state = Mutex(State())

    struct State {
        var closed = false
        var activity: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    public var peer: PeerIdentity { session.peer }

    init(session: EstablishedSession, link: any Link, reader: ConnectionReader, writer: ConnectionWriter) {
        self.session = session
        self.link = link
        self.reader = reader
        self.writer = writer
        remoteAddress = link.remoteAddress
    }

    /// Sends one message, with `body` carried as raw bytes after it.
    public func send(_ message: some SwiftProtobuf.Message, body: Data = Data()) async throws(TransportError) {
        let header: Data
        do {
            header = try message.serializedBytes()
        } catch {
            throw .badFrame("cannot encode \(type(of: message)): \(error)")
        }
        try await send(Record(kind: .message, header: header, body: body))
    }

    /// Receives the next message as `M`, and the bulk body that came with it.
    public func receive<M: SwiftProtobuf.Message>(_ type: M.Type) async throws(TransportError) -> (message: M, body: Data) {
        let record: Record
        do {
            record = try await reader.nextRecord()
        } catch {
            close()
            throw error
        }
        touch()
        switch record.kind {
        case .goodbye:
            close()
            throw .closed(reason: String(decoding: record.header, as: UTF8.self))
        case .message, .messageWithBody:
            do {
                return (try M(serializedBytes: record.header), record.body)
            } catch {
                close()
                throw .badFrame("not a \(M.self): \(error)")
            }
        }
    }

    /// Tells the peer why this side is hanging up, then closes.
    public func goodbye(_ reason: String) async {
        try? await send(Record(kind: .goodbye, header: Data(reason.utf8.prefix(256)), body: Data()))
        close()
    }

    /// Closes the connection; a receive in progress on either side ends with `closed`.
    public func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.closed else { return [] }
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        link.close()
        for waiter in waiters { waiter.resume() }
    }

    /// False once either side has closed it or it failed.
    public var isOpen: Bool { !state.withLock { $0.closed } }

    /// Counts sends and receives, so an idle connection can be told from a busy one.
    var activity: UInt64 { state.withLock { $0.activity } }

    /// Returns once the connection is closed.
    func waitUntilClosed() async {
        await withCheckedContinuation { continuation in
            let already = state.withLock { state -> Bool in
                if state.closed { return true }
                state.waiters.append(continuation)
                return false
            }
            if already { continuation.resume() }
        }
    }

    private func send(_ record: Record) async throws(TransportError) {
        guard isOpen else { throw .closed(reason: nil) }
        do {
            try await writer.send(record)
        } catch {
            close()
            throw error
        }
        touch()
    }

    private func touch() { state.withLock { $0.activity &+= 1 } }
}

extension PeerConnection {
    /// Runs the handshake over `link` and returns the established connection.
    /// - Throws: `TransportError.handshake` when either side refuses, `.closed` or `.oversized` for a bad stream.
    static func establish(
        over link: any Link, handshake: TransportHandshake, maximumFrame: Int
    ) async throws(TransportError) -> PeerConnection {
        var handshake = handshake
        let reader = ConnectionReader(link: link, maximumFrame: maximumFrame)
        let writer = ConnectionWriter(link: link)
        do {
            if handshake.isInitiator {
                do {
                    try await writer.sendRaw(try handshake.start())
                } catch let error as HandshakeError {
                    throw TransportError.handshake(error)
                }
            }
            while true {
                let frame = try await reader.nextFrame(limit: TransportHandshake.maximumMessageBytes).bytes
                let step: TransportHandshake.Step
                do {
                    step = try handshake.receive(Array(frame))
                } catch {
                    throw TransportError.handshake(error)
                }
                switch step {
                case .send(let bytes):
                    try await writer.sendRaw(bytes)
                case .sendAndEstablish(let bytes, let session):
                    try await writer.sendRaw(bytes)
                    return await start(session, link: link, reader: reader, writer: writer)
                case .established(let session):
                    return await start(session, link: link, reader: reader, writer: writer)
                }
            }
        } catch let error as TransportError {
            link.close()
            throw error
        } catch {
            link.close()
            throw .closed(reason: "\(error)")
        }
    }

    private static func start(
        _ session: EstablishedSession, link: any Link, reader: ConnectionReader, writer: ConnectionWriter
    ) async -> PeerConnection {
        link.authenticated()
        await reader.startSession(FrameOpener(kind: session.cipher, key: session.receiveKey))
        await writer.startSession(FrameSealer(kind: session.cipher, key: session.sendKey))
        return PeerConnection(session: session, link: link, reader: reader, writer: writer)
    }
}
