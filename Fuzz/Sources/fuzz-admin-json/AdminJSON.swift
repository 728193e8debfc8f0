// fuzz-admin-json: the admin API's request bodies (ShoalAgent Admin): a task submission
// (`POST /v1/tasks`, one task or `{"tasks": [...]}`), a join (`POST /v1/join`), a force-leave
// and a leadership transfer, read as the routes read them, and the duration and size texts
// of query parameters and flags. What the socket refuses must be a 400 naming the problem:
// any other error would reach the client as a 500.
//
// Input: a mode byte, then by mode % 5: 0 a submission, 1 a join, 2 a force-leave, 3 a
// transfer body; 4 a duration or size text.
import Foundation
import FuzzSupport
import Hummingbird
import NIOCore
@testable import ShoalAgent
import ShoalScheduler

@main
enum FuzzAdminJSON {
    static func main() { runLibFuzzer(seeds: seeds(), fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let mode = input.byte() % 5
    let body = input.rest()
    switch mode {
    case 0: checkSubmission(body)
    case 1: checkBody(body, as: AdminAPI.JoinRequest.self) { request in _ = try AdminRouter.joinSeeds(request.addresses) }
    case 2: checkBody(body, as: AdminAPI.ForceLeaveRequest.self) { _ in }
    case 3: checkBody(body, as: AdminAPI.TransferRequest.self) { _ in }
    default:
        let text = String(decoding: body, as: UTF8.self)
        if let duration = AdminAPI.duration(text) { require(duration >= .zero, "a duration parsed negative") }
        _ = AdminAPI.byteCount(text)
    }
    return 0
}

/// What a refusal must be: an HTTP 400 (anything else the server answers 500).
func requireBadRequest(_ error: any Error, _ what: String) {
    guard let http = error as? HTTPError, http.status == .badRequest else { fatalError("\(what) was refused with \(error), not a 400") }
}

/// Reads `body` as the route does (`AdminRouter.decode`, then `use`), 400 or a value.
func checkBody<T: Decodable & Sendable>(_ body: [UInt8], as type: T.Type, _ use: @escaping @Sendable (T) throws -> Void) {
    let failure: String? = runBlocking {
        do {
            try use(try await AdminRouter.decode(type, RequestBody(buffer: ByteBuffer(bytes: body))))
            return nil
        } catch {
            guard let http = error as? HTTPError, http.status == .badRequest else { return "\(error)" }
            return nil
        }
    }
    if let failure { fatalError("a \(T.self) body was refused with \(failure), not a 400") }
}

/// Parses to specs or a 400; each spec is validated as the service validates it, and written
/// back as a request body it parses to the same spec.
func checkSubmission(_ body: [UInt8]) {
    let specs: [TaskSpec]
    do {
        specs = try AdminRouter.parseTaskSpecs(Data(body)).specs
    } catch {
        requireBadRequest(error, "a task submission")
        return
    }
    for spec in specs {
        _ = try? spec.validate()
        let again: [TaskSpec]
        do {
            again = try AdminRouter.parseTaskSpecs(try JSONEncoder().encode(request(for: spec))).specs
        } catch {
            fatalError("a parsed task spec, written back, is refused: \(error)")
        }
        require(again == [spec], "a parsed task spec, written back, parses as another")
    }
}

/// The body a client would send for `spec` (what `shoal submit` builds).
func request(for spec: TaskSpec) -> AdminAPI.TaskSubmitRequest {
    var inputs: [String: String] = [:]
    for input in spec.inputs {
        switch input.source {
        case .object(let id): inputs[input.name] = id.description
        case .output(let task, let path): inputs[input.name] = "\(task.rawValue):\(path)"
        }
    }
    return AdminAPI.TaskSubmitRequest(
        argv: spec.argv, env: spec.environment, cpu: spec.resources.cpuMillis, memory: spec.resources.memoryBytes,
        labels: spec.constraints.map { "\($0.key)=\($0.value)" }, inputs: inputs, outputs: spec.outputs, retries: spec.retries,
        timeoutMs: spec.timeoutMilliseconds, priority: spec.priority, strategy: spec.strategy.rawValue)
}

func seeds() -> [(name: String, bytes: [UInt8])] {
    let object = "1220" + String(repeating: "ab", count: 32)
    let task = #"{"argv": ["/bin/sh", "-c", "wc -c < in > out"], "env": {"LANG": "C"}, "cpu": 500, "memory": 67108864, "labels": ["zone=a"], "inputs": {"in": "\#(object)", "prev": "t-0001:out"}, "outputs": ["out"], "retries": 0, "timeoutMs": 60000, "priority": 90, "strategy": "spread"}"#
    return [
        ("task", [0] + Array(task.utf8)),
        ("tasks", [0] + Array(#"{"tasks": [{"argv": ["true"]}, \#(task)]}"#.utf8)),
        ("join", [1] + Array(#"{"addresses": ["10.0.0.1:7946", "[::1]:7946", "127.0.0.1:7946"]}"#.utf8)),
        ("force-leave", [2] + Array(#"{"name": "node-3"}"#.utf8)),
        ("transfer", [3] + Array(#"{"name": null}"#.utf8)),
        ("duration", [4] + Array("1500ms".utf8)),
        ("size", [4] + Array("512MiB".utf8)),
    ]
}
