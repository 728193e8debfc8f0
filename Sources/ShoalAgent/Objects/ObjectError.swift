public import ShoalObjects

/// Why an object request failed, in words an operator can act on; each maps to one HTTP status.
public enum ObjectError: Error, Equatable, CustomStringConvertible {
    /// No alive member holds the object (or the id names nothing ever stored). 404.
    case notFound(ObjectID)
    /// Some chunks have no alive, honest holder left, or the holders did not answer. 503.
    case unavailable(String)
    /// The put is durable on fewer nodes than its replication factor asks. 503.
    case underReplicated(durable: Int, wanted: Int, reason: String)
    /// The disk (or the disk budget) has no room for it. 507.
    case full(String)
    /// The request itself is malformed (a bad id, a replicas count out of range, a body
    /// shorter than its Content-Length). 400.
    case invalid(String)
    /// The local chunk store failed. 500.
    case store(ChunkStoreError)

    public var description: String {
        switch self {
        case .notFound(let id): "object \(id) is not held by any alive member"
        case .unavailable(let reason): "the object cannot be read now: \(reason); retry once more members are up"
        case .underReplicated(let durable, let wanted, let reason):
            "the object is durable on \(durable) of the \(wanted) nodes asked for (\(reason)); it is kept, and repair will add the rest, or put again with fewer --replicas"
        case .full(let reason): reason
        case .invalid(let reason): reason
        case .store(let error): error.description
        }
    }

    /// A store failure as the API reports it: a full disk or budget is the client's 507.
    static func from(_ error: ChunkStoreError) -> ObjectError {
        switch error {
        case .diskFull, .overBudget: .full(error.description)
        default: .store(error)
        }
    }
}
