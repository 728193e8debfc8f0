import Hummingbird
import ServiceLifecycle
import ShoalTransport

/// Membership as a subsystem of the agent: `membership/1` on the transport, the member routes
/// of the admin API, and the membership service.
struct MembershipSubsystem: AgentSubsystem {
    let service: MembershipService

    func registerProtocols(on transport: Transport) {
        let service = self.service
        transport.register(.membership) { connection in await service.serve(connection) }
    }

    func addRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable) {
        AdminRouter.addMembershipRoutes(to: router, table: &table, membership: service)
    }

    var services: [any Service] { [service] }
}
