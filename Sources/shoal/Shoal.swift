import ArgumentParser

/// The one executable: the agent and every client command.
@main
struct Shoal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal",
        abstract: "A peer-to-peer cluster agent: signed SWIM gossip membership, an elected leader, a replicated key-value store, content-addressed objects and tasks placed by the leader, driven over an admin socket.",
        subcommands: [
            AgentCommand.self, MembersCommand.self, JoinCommand.self, LeaveCommand.self, ForceLeaveCommand.self,
            MonitorCommand.self, LeaderCommand.self, RaftCommand.self, KVCommand.self, PutCommand.self, GetCommand.self, ObjectCommand.self, ObjectsCommand.self, RemoveCommand.self,
            SubmitCommand.self, TasksCommand.self, TaskShowCommand.self, WaitCommand.self, LogsCommand.self, CancelCommand.self,
            InfoCommand.self, VersionCommand.self, KeygenCommand.self, ClusterCommand.self,
        ])
}
