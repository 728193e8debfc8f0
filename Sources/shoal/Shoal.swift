import ArgumentParser

/// The one executable: the agent and every client command.
@main
struct Shoal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal",
        abstract: "A peer-to-peer cluster agent: signed SWIM gossip membership, queried over an admin socket.",
        subcommands: [
            AgentCommand.self, MembersCommand.self, JoinCommand.self, LeaveCommand.self, ForceLeaveCommand.self,
            MonitorCommand.self, InfoCommand.self, VersionCommand.self, KeygenCommand.self, ClusterCommand.self,
        ])
}
