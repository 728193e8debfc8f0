import Dispatch
import Foundation
import ShoalCrypto
import Testing

/// Key files that are not plain private files: refused at once, in a message that names the file
/// the operator would act on.
@Suite("Key file kinds")
struct KeyFileKindTests {
    @Test("a FIFO at the key path is refused as not a regular file, without waiting for a writer")
    func fifoRefused() throws {
        let dir = try TemporaryDirectory()
        let path = dir.file("node.key")
        #expect(mkfifo(path, 0o600) == 0)
        let outcome = LoadOutcome()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            outcome.set(Result { try KeyFile.load(at: path) })
            done.signal()
        }
        if done.wait(timeout: .now() + 10) == .timedOut {
            // Unblock the reader stuck in open(2) so the test ends either way.
            let writer = open(path, O_WRONLY | O_NONBLOCK)
            close(writer)
            _ = done.wait(timeout: .now() + 10)
            Issue.record("loading a FIFO as the node key blocked for 10 s")
            return
        }
        #expect(throws: CryptoError.notARegularFile(path: path, kind: "a FIFO (named pipe)")) { try outcome.get() }
    }

    @Test("a key file reached through a symbolic link and open to others names the link's target in the chmod hint")
    func symlinkHintNamesTarget() throws {
        let dir = try TemporaryDirectory()
        try KeyFile.write(SigningKey.generate(), to: dir.file("private.key"))
        let target = try dir.write(
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.file("private.key"))), as: UTF8.self),
            to: "shared.key", mode: 0o644)
        let link = dir.file("node.key")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let resolved = try #require(realpath(target, nil).map { pointer in
            defer { free(pointer) }
            return String(cString: pointer)
        })
        #expect(throws: CryptoError.keyFileLinkInsecure(path: link, target: resolved, mode: 0o644)) {
            try KeyFile.load(at: link)
        }
        let message = CryptoError.keyFileLinkInsecure(path: link, target: resolved, mode: 0o644).description
        #expect(message.contains("chmod 600 \(resolved)") && !message.contains("chmod 600 \(link)"), "\(message)")
    }
}

/// The result of a load run on another thread.
private final class LoadOutcome: @unchecked Sendable {
    // @unchecked: `result` is written once before the semaphore is signalled and read after it is waited on.
    private var result: Result<SigningKey, any Error>?

    func set(_ value: Result<SigningKey, any Error>) { result = value }

    func get() throws -> SigningKey {
        guard let result else { throw CryptoError.keyFileMissing(path: "(no result)") }
        return try result.get()
    }
}
