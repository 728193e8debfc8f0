import Hummingbird
import ServiceLifecycle
import ShoalTransport

/// Leadership as a subsystem of the agent: `raft/1` and `leader/1` on the transport, the
/// leader, raft and key-value routes of the admin API, and the consensus service.
struct ConsensusSubsystem: AgentSubsystem {
    let service: ConsensusService
    let membership: MembershipService

    func registerProtocols(on transport: Transport) {
        service.registerProtocols(on: transport)
    }

    func addRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable) {
        AdminRouter.addConsensusRoutes(to: router, table: &table, consensus: service, membership: membership)
    }

    var services: [any Service] { [service] }
}

/// Leadership's configuration key: `bootstrap_expect` (and `--bootstrap-expect`) stands at the
/// top level, as Consul's does.
enum ConsensusSettings {
    static let keys: [ConfigurationKey] = [.bootstrapExpect]
}

extension ConfigurationKey {
    static let bootstrapExpect = ConfigurationKey(name: "bootstrap_expect", kind: .string)
}
