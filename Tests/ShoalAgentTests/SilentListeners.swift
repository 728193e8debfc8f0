import Foundation

/// TCP listeners on 127.0.0.1 that accept connections and never answer: seeds that keep a joining
/// agent waiting. Each remembers the connections it accepted, to tell when the agent hangs up.
final class SilentListeners {
    private var listeners: [Int32] = []
    private var accepted: [Int32] = []
    private(set) var ports: [Int] = []

    init(count: Int) throws {
        for _ in 0..<count {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            listeners.append(fd)
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
    }

    deinit { (listeners + accepted).forEach { close($0) } }

    /// Accepts whatever is waiting; returns how many connections were accepted so far.
    @discardableResult
    func acceptPending() -> Int {
        for fd in listeners {
            while case let connection = accept(fd, nil, nil), connection >= 0 {
                accepted.append(connection)
            }
        }
        return accepted.count
    }

    /// Accepted connections the agent has not closed.
    func openConnections() -> Int {
        acceptPending()
        return accepted.filter { fd in
            var byte: UInt8 = 0
            return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) != 0
        }.count
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on (bound once to find it, then released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let found = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard found else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    return Int(UInt16(bigEndian: address.sin_port))
}
