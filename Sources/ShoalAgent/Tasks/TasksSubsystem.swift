import Hummingbird
import ServiceLifecycle
import ShoalTransport

/// Tasks as a subsystem of the agent: the task routes of the admin API and the task service
/// (scheduler on the leader, executor everywhere). Its commands travel in the Raft log and on
/// `leader/1`, so it registers no protocol of its own.
struct TasksSubsystem: AgentSubsystem {
    let service: TaskService
    let objects: ObjectService

    func registerProtocols(on transport: Transport) {}

    func addRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable) {
        AdminRouter.addTaskRoutes(to: router, table: &table, tasks: service, objects: objects)
    }

    var services: [any Service] { [service] }
}
