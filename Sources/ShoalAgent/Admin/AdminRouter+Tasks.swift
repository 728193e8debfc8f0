import Foundation
public import Hummingbird
import NIOCore
import ShoalMembership
import ShoalObjects
import ShoalScheduler

extension AdminAPI.TaskView: ResponseEncodable {}

extension AdminRouter {
    /// `/v1/tasks` (POST submits, GET lists, `?state=S`) and `/v1/tasks/{id}` (GET, a blocking
    /// read with `?index=N&wait=D`), `/v1/tasks/{id}/cancel` (POST), `/v1/tasks/{id}/logs`
    /// (GET, `?stream=stdout|stderr`: the bytes the task wrote).
    static func addTaskRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable, tasks: TaskService, objects: ObjectService) {
        router.route(.post, "/v1/tasks", in: &table) { request, context -> Response in
            let (specs, many) = try await taskSpecs(request.body)
            let records = try await answer { () async throws(KVFailure) in try await tasks.submit(specs) }
            let views = await views(records, tasks: tasks)
            return many ? try views.response(from: request, context: context, status: .created) : try views[0].response(from: request, context: context, status: .created)
        }
        router.route(.get, "/v1/tasks", in: &table) { request, context -> Response in
            var query = TaskQuery()
            if let text = request.uri.queryParameters["state"] {
                guard let state = TaskState(rawValue: String(text)) else {
                    throw HTTPError(.badRequest, message: "state must be one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text.prefix(40))'")
                }
                query.state = state
            }
            query.watch = try watch(request)
            let reply = try await answer { () async throws(KVFailure) in try await tasks.consensus.read(tasks: query) }
            var response = try await views(reply.records, tasks: tasks).response(from: request, context: context)
            response.headers[AdminAPI.indexHeader] = String(reply.index)
            return response
        }
        router.route(.get, "/v1/tasks/**", in: &table) { request, context -> Response in
            let (id, action) = try taskPath(request)
            switch action {
            case nil:
                var query = TaskQuery(ids: [id])
                query.watch = try watch(request)
                let reply = try await answer { () async throws(KVFailure) in try await tasks.consensus.read(tasks: query) }
                guard let record = reply.records.first else { throw HTTPError(.notFound, message: "no task \(id)") }
                var response = try await views([record], tasks: tasks)[0].response(from: request, context: context)
                response.headers[AdminAPI.indexHeader] = String(reply.index)
                return response
            case "logs":
                let stream = request.uri.queryParameters["stream"].map(String.init) ?? "stdout"
                guard TaskSpec.streamOutputs.contains(stream) else { throw HTTPError(.badRequest, message: "stream must be stdout or stderr, not '\(stream.prefix(40))'") }
                let records = try await answer { () async throws(KVFailure) in try await tasks.records([id]) }
                guard let record = records.first else { throw HTTPError(.notFound, message: "no task \(id)") }
                guard let attempt = record.attempts.last(where: { $0.endedAt != nil }) else {
                    throw HTTPError(
                        .conflict,
                        message: "task \(id) is \(record.state.rawValue): its \(stream) is stored when its attempt ends (shoal logs --follow waits for it)")
                }
                // An attempt that wrote nothing to the stream stored no object for it.
                guard let object = attempt.outputs[stream] else {
                    return Response(status: .ok, headers: [.contentType: "application/octet-stream", .contentLength: "0"], body: ResponseBody())
                }
                return try await objectResponse(object, objects: objects)
            default:
                throw HTTPError(.notFound, message: "no such endpoint: \(request.uri.path) (see README: Admin API)")
            }
        }
        router.route(.post, "/v1/tasks/**", in: &table) { request, context -> Response in
            let (id, action) = try taskPath(request)
            guard action == "cancel" else { throw HTTPError(.notFound, message: "no such endpoint: \(request.uri.path) (POST /v1/tasks/{id}/cancel)") }
            let record = try await answer { () async throws(KVFailure) in try await tasks.cancel(id) }
            return try await views([record], tasks: tasks)[0].response(from: request, context: context)
        }
    }

    /// `{id}` and the action after it, if any.
    private static func taskPath(_ request: Request) throws -> (TaskID, String?) {
        let parts = request.uri.path.dropFirst("/v1/tasks/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let id = TaskID(String(parts[0])) else {
            throw HTTPError(.badRequest, message: "'\(parts.first?.prefix(80) ?? "")' is not a task id (the id a submit answered)")
        }
        return (id, parts.count == 2 ? String(parts[1]) : nil)
    }

    /// The specs of a submission body: one task object, or `{"tasks": [...]}` (then `many`).
    static func taskSpecs(_ body: RequestBody) async throws -> (specs: [TaskSpec], many: Bool) {
        try parseTaskSpecs(Data(try await collect(body).readableBytesView))
    }

    /// Parses a submission body, refusing unknown fields and values out of their types.
    static func parseTaskSpecs(_ data: Data) throws -> (specs: [TaskSpec], many: Bool) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HTTPError(.badRequest, message: "the body must be a JSON object: a task, or {\"tasks\": [...]}")
        }
        if object.keys.contains("tasks") {
            guard object.count == 1, let list = object["tasks"] as? [Any] else {
                throw HTTPError(.badRequest, message: "a submission of several tasks is {\"tasks\": [...]} with nothing beside it")
            }
            return (try list.enumerated().map { index, element in try taskSpec(element, at: "tasks[\(index)]") }, true)
        }
        return ([try taskSpec(object, at: "the task")], false)
    }

    private static func taskSpec(_ element: Any, at place: String) throws -> TaskSpec {
        guard let fields = element as? [String: Any] else { throw HTTPError(.badRequest, message: "\(place) is not a JSON object") }
        if let unknown = Set(fields.keys).subtracting(AdminAPI.TaskSubmitRequest.fields).sorted().first {
            throw HTTPError(
                .badRequest,
                message: "\(place): unknown field '\(unknown.prefix(60))' (known: \(AdminAPI.TaskSubmitRequest.fields.sorted().joined(separator: ", ")))")
        }
        let request: AdminAPI.TaskSubmitRequest
        do {
            request = try JSONDecoder().decode(AdminAPI.TaskSubmitRequest.self, from: try JSONSerialization.data(withJSONObject: fields))
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw HTTPError(.badRequest, message: "\(place): \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError(.badRequest, message: "\(place): '\(key.stringValue)' is required")
        } catch {
            throw HTTPError(.badRequest, message: "\(place) does not decode: \(error)")
        }
        return try request.spec(at: place)
    }

    /// The API's view of each record, node names from membership.
    static func views(_ records: [TaskRecord], tasks: TaskService) async -> [AdminAPI.TaskView] {
        let names = await tasks.memberNames()
        return records.map { AdminAPI.TaskView($0, names: names) }
    }
}

extension AdminAPI.TaskSubmitRequest {
    /// The scheduler's spec; fields that do not parse are a 400 naming them (the rest is checked by `TaskSpec.validate`).
    func spec(at place: String) throws -> TaskSpec {
        var constraints: [LabelConstraint] = []
        for text in labels ?? [] {
            guard let constraint = LabelConstraint(parsing: text) else {
                throw HTTPError(.badRequest, message: "\(place): label constraint '\(text.prefix(80))' is not key=value under the label rule: \(LabelRule.description)")
            }
            constraints.append(constraint)
        }
        var parsedInputs: [TaskInput] = []
        for (name, source) in (inputs ?? [:]).sorted(by: { $0.key < $1.key }) {
            if let colon = source.firstIndex(of: ":") {
                guard let task = TaskID(String(source[..<colon])) else {
                    throw HTTPError(.badRequest, message: "\(place): input \(name): '\(source.prefix(80))' is neither an object id nor TASK:PATH")
                }
                parsedInputs.append(TaskInput(name: name, source: .output(task: task, path: String(source[source.index(after: colon)...]))))
            } else {
                guard let id = ObjectID(hex: source) else {
                    throw HTTPError(.badRequest, message: "\(place): input \(name): '\(source.prefix(80))' is neither an object id nor TASK:PATH")
                }
                parsedInputs.append(TaskInput(name: name, source: .object(id)))
            }
        }
        var strategyValue = PlacementStrategy.binpack
        if let strategy {
            guard let parsed = PlacementStrategy(rawValue: strategy) else {
                throw HTTPError(.badRequest, message: "\(place): strategy must be binpack or spread, not '\(strategy.prefix(40))'")
            }
            strategyValue = parsed
        }
        return TaskSpec(
            argv: argv, environment: env ?? [:], resources: Resources(cpuMillis: cpu ?? 0, memoryBytes: memory ?? 0), constraints: constraints,
            inputs: parsedInputs, outputs: outputs ?? [], timeoutMilliseconds: timeoutMs, retries: retries ?? TaskSpec.defaultRetries,
            priority: priority ?? TaskSpec.defaultPriority, strategy: strategyValue)
    }
}

extension AdminAPI.TaskView {
    init(_ record: TaskRecord, names: [NodeID: String]) {
        let current = record.currentAttempt
        self.init(
            id: record.id.rawValue, state: record.state.rawValue, node: current.map { names[$0.node] ?? $0.node.shortID }, attempt: current?.number ?? 0,
            exitCode: current?.exitCode, reason: record.reason ?? current?.reason,
            outputs: Dictionary(uniqueKeysWithValues: record.outputs.map { ($0.key, $0.value.description) }), argv: record.spec.argv,
            submittedAt: record.submittedAt, endedAt: record.endedAt,
            attempts: record.attempts.map { attempt in
                AdminAPI.TaskAttemptView(
                    number: attempt.number, node: names[attempt.node] ?? attempt.node.shortID, nodeID: attempt.node.bytes.map { String(format: "%02x", $0) }.joined(),
                    term: attempt.term, assignedAt: attempt.assignedAt, startedAt: attempt.startedAt, endedAt: attempt.endedAt, exitCode: attempt.exitCode,
                    reason: attempt.reason, outputs: Dictionary(uniqueKeysWithValues: attempt.outputs.map { ($0.key, $0.value.description) }))
            })
    }
}
