import Foundation

/// Cuts agents of a `LocalCluster` off from each other for real, with iptables (root): every
/// packet on loopback to or from an isolated address is dropped, gossip (UDP) and transport
/// (TCP) alike, while its admin socket stays reachable. The rules live in a chain of their own,
/// `SHOAL-<subnet>`, jumped to from INPUT, so tests on other subnets are not touched; a chain a
/// killed test run left behind is emptied when the next one starts.
struct LoopbackFirewall {
    let chain: String

    /// Whether iptables can be used here.
    static var available: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: tool) }

    private static let tool = "/usr/sbin/iptables"

    init(subnet: Int) throws {
        chain = "SHOAL-\(subnet)"
        _ = Self.run(["-N", chain])  // fails harmlessly if it exists
        guard Self.run(["-F", chain]) else { throw FirewallError(message: "cannot flush iptables chain \(chain)") }
        if !Self.run(["-C", "INPUT", "-j", chain]) {
            guard Self.run(["-I", "INPUT", "-j", chain]) else { throw FirewallError(message: "cannot jump to \(chain) from INPUT") }
        }
    }

    /// Drops every packet from or to `host` (an agent's bound address).
    func isolate(_ host: String) throws {
        guard Self.run(["-A", chain, "-s", host, "-j", "DROP"]), Self.run(["-A", chain, "-d", host, "-j", "DROP"]) else {
            throw FirewallError(message: "cannot isolate \(host)")
        }
    }

    /// Lets everything through again.
    func heal() throws {
        guard Self.run(["-F", chain]) else { throw FirewallError(message: "cannot flush \(chain)") }
    }

    /// Removes the chain and its jump.
    func remove() {
        _ = Self.run(["-D", "INPUT", "-j", chain])
        _ = Self.run(["-F", chain])
        _ = Self.run(["-X", chain])
    }

    struct FirewallError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    private static func run(_ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-w", "10"] + arguments  // at most 10 s for the xtables lock
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
