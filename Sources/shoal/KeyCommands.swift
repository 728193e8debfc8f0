import ArgumentParser
import Foundation
import ShoalAgent
import ShoalCrypto

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a node key pair: FILE (secret, mode 0600) and FILE.pub.",
        discussion: "An agent makes its own key on first start; keygen is for issuing its certificate before that start.")

    @Option(name: .long, help: ArgumentHelp("Where to write the secret key.", valueName: "file"))
    var out: String = "node.key"

    func run() throws {
        let key = SigningKey.generate()
        do {
            try KeyFile.write(key, to: out)
            try KeyFile.writePublic(key.publicKey, to: out + ".pub")
        } catch {
            throw fail(error.description)
        }
        print("wrote \(out) and \(out).pub; node id \(key.publicKey.shortID)")
    }
}

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster", abstract: "Create a cluster authority and issue node certificates.",
        subcommands: [ClusterInitCommand.self, ClusterIssueCommand.self])
}

struct ClusterInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Write a new authority key pair: DIR/authority.key (0600) and DIR/authority.pub.")

    @Option(name: .long, help: ArgumentHelp("The cluster directory.", valueName: "dir"))
    var dir: String

    func run() throws {
        do {
            let authority = try ClusterAuthority.initialize(directory: dir)
            print("cluster \(authority.clusterID.hex): wrote \(dir)/authority.key and \(dir)/authority.pub")
            print("give agents \(dir)/authority.pub and a certificate from `shoal cluster issue`; keep authority.key safe")
        } catch {
            throw fail(error.description)
        }
    }
}

struct ClusterIssueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue", abstract: "Issue a certificate for a node key, signed by the authority in DIR.")

    @Option(name: .long, help: ArgumentHelp("The cluster directory holding authority.key.", valueName: "dir"))
    var dir: String

    @Option(name: .customLong("node-key"), help: ArgumentHelp("The node's key file (.pub, or its secret key).", valueName: "file"))
    var nodeKey: String

    @Option(name: .long, help: "The node's name, as its agent's --name.")
    var name: String

    @Option(name: .customLong("label"), help: ArgumentHelp("A label to certify, key=value (repeatable).", valueName: "k=v"))
    var labels: [String] = []

    @Option(name: .customLong("valid-days"), help: "How many days the certificate is valid.")
    var validDays: Int = 365

    @Option(name: .long, help: ArgumentHelp("Where to write the certificate (default: DIR/NAME.cert).", valueName: "file"))
    var out: String?

    func validate() throws {
        guard validDays > 0 else { throw ValidationError("--valid-days must be at least 1") }
        for label in labels where Label(parsing: label) == nil {
            throw ValidationError("--label \(label): expected \(Label.rule)")
        }
    }

    func run() throws {
        do {
            guard let authority = try ClusterAuthority.loadSecret(directory: dir) else {
                throw fail("\(dir)/authority.key not found: issue certificates where `shoal cluster init --dir \(dir)` was run")
            }
            let key = try KeyFile.loadPublic(at: nodeKey)
            var certified: [String: String] = [:]
            for label in labels.compactMap(Label.init(parsing:)) { certified[label.key] = label.value }
            let expires = UInt64(Date().timeIntervalSince1970) + UInt64(validDays) * 86_400
            let certificate = try authority.issue(nodeKey: key, name: name, expiresAt: expires, labels: certified)
            let path = out ?? "\(dir)/\(name).cert"
            try certificate.write(to: path)
            print("wrote \(path) for node \(name) (\(key.shortID)), valid \(validDays) days")
        } catch let error as CryptoError {
            throw fail(error.description)
        }
    }
}
