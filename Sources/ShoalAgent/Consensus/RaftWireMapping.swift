import Foundation
import ShoalConsensus
import ShoalWire

/// Why a raft/1 message from a peer could not be read: the message is dropped, nothing changes.
enum RaftWireError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    var description: String {
        switch self {
        case .malformed(let reason): "malformed raft message: \(reason)"
        }
    }
}

/// Raft messages to and from their protobuf form (shoal_raft.proto). Decoding checks every
/// field a replica relies on (ids of 32 bytes, a known entry kind, a configuration that
/// decodes, a kind present) and refuses anything else with a typed error.
extension Message {
    var wire: Shoal_Wire_V1_RaftMessage {
        var out = Shoal_Wire_V1_RaftMessage()
        out.from = Data(from.bytes)
        out.to = Data(to.bytes)
        out.term = term
        switch kind {
        case .preVote(let lastIndex, let lastTerm):
            out.preVote = .with { $0.lastIndex = lastIndex; $0.lastTerm = lastTerm }
        case .preVoteResponse(let granted):
            out.preVoteResponse = .with { $0.granted = granted }
        case .vote(let lastIndex, let lastTerm, let transfer):
            out.vote = .with { $0.lastIndex = lastIndex; $0.lastTerm = lastTerm; $0.transfer = transfer }
        case .voteResponse(let granted):
            out.voteResponse = .with { $0.granted = granted }
        case .append(let append):
            out.append = .with {
                $0.prevIndex = append.prevIndex
                $0.prevTerm = append.prevTerm
                $0.entries = append.entries.map(\.wire)
                $0.commit = append.commit
            }
        case .appendResponse(.accepted(let match)):
            out.appendResponse = .with { $0.accepted = true; $0.matchIndex = match }
        case .appendResponse(.rejected(let index, let hintIndex, let hintTerm)):
            out.appendResponse = .with { $0.rejectedIndex = index; $0.hintIndex = hintIndex; $0.hintTerm = hintTerm }
        case .heartbeat(let commit, let leaderTick, let readRound):
            out.heartbeat = .with { $0.commit = commit; $0.leaderTick = leaderTick; $0.readRound = readRound }
        case .heartbeatResponse(let leaderTick, let readRound):
            out.heartbeatResponse = .with { $0.leaderTick = leaderTick; $0.readRound = readRound }
        case .snapshot(let snapshot):
            out.snapshot = snapshot.wire
        case .timeoutNow:
            out.timeoutNow = Shoal_Wire_V1_RaftTimeoutNow()
        case .readIndex(let context):
            out.readIndex = .with { $0.context = Data(context) }
        case .readIndexResponse(let index, let context):
            out.readIndexResponse = .with { $0.index = index; $0.context = Data(context) }
        }
        return out
    }

    init(wire: Shoal_Wire_V1_RaftMessage) throws(RaftWireError) {
        guard let from = ReplicaID(bytes: Array(wire.from)) else { throw .malformed("sender id is \(wire.from.count) bytes, not 32") }
        guard let to = ReplicaID(bytes: Array(wire.to)) else { throw .malformed("receiver id is \(wire.to.count) bytes, not 32") }
        let kind: MessageKind
        switch wire.kind {
        case .none: throw .malformed("no message kind")
        case .preVote(let request): kind = .preVote(lastIndex: request.lastIndex, lastTerm: request.lastTerm)
        case .preVoteResponse(let response): kind = .preVoteResponse(granted: response.granted)
        case .vote(let request): kind = .vote(lastIndex: request.lastIndex, lastTerm: request.lastTerm, transfer: request.transfer)
        case .voteResponse(let response): kind = .voteResponse(granted: response.granted)
        case .append(let append):
            var entries: [Entry] = []
            entries.reserveCapacity(append.entries.count)
            for entry in append.entries { entries.append(try Entry(wire: entry)) }
            kind = .append(Append(prevIndex: append.prevIndex, prevTerm: append.prevTerm, entries: entries, commit: append.commit))
        case .appendResponse(let response):
            kind = .appendResponse(
                response.accepted
                    ? .accepted(match: response.matchIndex)
                    : .rejected(index: response.rejectedIndex, hintIndex: response.hintIndex, hintTerm: response.hintTerm))
        case .heartbeat(let beat): kind = .heartbeat(commit: beat.commit, leaderTick: beat.leaderTick, readRound: beat.readRound)
        case .heartbeatResponse(let beat): kind = .heartbeatResponse(leaderTick: beat.leaderTick, readRound: beat.readRound)
        case .snapshot(let snapshot): kind = .snapshot(try Snapshot(wire: snapshot))
        case .timeoutNow: kind = .timeoutNow
        case .readIndex(let read): kind = .readIndex(context: Array(read.context))
        case .readIndexResponse(let read): kind = .readIndexResponse(index: read.index, context: Array(read.context))
        }
        self.init(from: from, to: to, term: wire.term, kind: kind)
    }
}

extension Entry {
    var wire: Shoal_Wire_V1_RaftEntry {
        .with {
            $0.term = term
            $0.index = index
            $0.kind = UInt32(kind.rawValue)
            $0.data = Data(data)
        }
    }

    init(wire: Shoal_Wire_V1_RaftEntry) throws(RaftWireError) {
        guard wire.kind <= UInt32(UInt8.max), let kind = EntryKind(rawValue: UInt8(wire.kind)) else {
            throw .malformed("entry \(wire.index) has unknown kind \(wire.kind)")
        }
        self.init(term: wire.term, index: wire.index, kind: kind, data: Array(wire.data))
    }
}

extension Snapshot {
    var wire: Shoal_Wire_V1_RaftSnapshot {
        .with {
            $0.index = metadata.index
            $0.term = metadata.term
            $0.configuration = Data(metadata.configuration.encoded)
            $0.data = Data(data)
        }
    }

    init(wire: Shoal_Wire_V1_RaftSnapshot) throws(RaftWireError) {
        guard let configuration = Configuration(encoded: Array(wire.configuration)) else {
            throw .malformed("snapshot \(wire.index) has an unreadable configuration")
        }
        self.init(metadata: SnapshotMetadata(index: wire.index, term: wire.term, configuration: configuration), data: Array(wire.data))
    }
}
