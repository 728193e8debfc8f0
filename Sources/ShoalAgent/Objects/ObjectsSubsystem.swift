import Hummingbird
import ServiceLifecycle
import ShoalTransport

/// Objects as a subsystem of the agent: `objects/1` on the transport, the object routes of the
/// admin API, and the object service (repair and scrub).
struct ObjectsSubsystem: AgentSubsystem {
    let service: ObjectService

    func registerProtocols(on transport: Transport) {
        service.registerProtocols(on: transport)
    }

    func addRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable) {
        AdminRouter.addObjectRoutes(to: router, table: &table, objects: service)
    }

    var services: [any Service] { [service] }
}
