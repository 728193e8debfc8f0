/// Membership's configuration keys. They stand at the top level of shoal.yaml (and have flags),
/// as they always have: their names are the contract operators' files and scripts rely on.
enum MembershipSettings {
    static let keys: [ConfigurationKey] = [.bind, .advertise, .retryJoin, .profile]
}

extension ConfigurationKey {
    static let bind = ConfigurationKey(name: "bind", kind: .string)
    static let advertise = ConfigurationKey(name: "advertise", kind: .string)
    static let retryJoin = ConfigurationKey(name: "retry_join", kind: .list, flagName: "--join")
    static let profile = ConfigurationKey(name: "profile", kind: .string)
}
