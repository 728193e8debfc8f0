import Hummingbird
import ServiceLifecycle
import ShoalTransport

/// One subsystem of the agent (membership today; objects, leadership and tasks next), plugged
/// in at one place: `Agent.run` registers its transport protocols, adds its admin routes and
/// runs its services, in the order the subsystems are listed. A subsystem makes its own
/// metrics from the agent's factory and reads its own configuration section.
protocol AgentSubsystem: Sendable {
    /// Answers the protocols it speaks on the transport; called before the transport starts.
    func registerProtocols(on transport: Transport)
    /// Adds its routes to the admin API, each also listed in `table` (which answers 405 for a
    /// known path with another method); the admin socket only: the metrics port serves metrics alone.
    func addRoutes(to router: Router<BasicRequestContext>, table: inout RouteTable)
    /// Its long-running work, as services of the agent's group: started in order, shut down in
    /// reverse, after the subsystems listed later.
    var services: [any Service] { get }
}
