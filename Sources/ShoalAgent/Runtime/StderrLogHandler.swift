import Foundation
public import Logging

/// Writes log records to standard error in one of the three `LogFormat`s.
///
/// journald reads a `<N>` prefix as the record's syslog priority, so under systemd
/// `journalctl -p warning -u shoal` filters correctly without libsystemd.
public struct StderrLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: AgentConfiguration.LogFormat

    public init(label: String, level: Logger.Level, format: AgentConfiguration.LogFormat) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line: String
        switch format {
        case .journald:
            line = "<\(Self.priority(event.level))>\(event.message)\(Self.render(merged))\n"
        case .text:
            let time = UTCTime.now().iso8601
            line = "\(time) \(event.level) \(label): \(event.message)\(Self.render(merged))\n"
        case .json:
            var object: [String: String] = [
                "time": UTCTime.now().iso8601, "level": "\(event.level)", "logger": label,
                "message": "\(event.message)",
            ]
            for (key, value) in merged { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        Self.writeToStandardError(line)
    }

    /// One write(2) per record (looping only on a short write), so concurrent records do not
    /// interleave mid-line; a failed write is dropped, as there is nowhere left to report it.
    private static func writeToStandardError(_ line: String) {
        var line = line
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// syslog(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func render(_ metadata: Logger.Metadata) -> String {
        guard !metadata.isEmpty else { return "" }
        return " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}

extension AgentConfiguration.LogLevel {
    /// The swift-log level of the same name.
    public var loggerLevel: Logger.Level { Logger.Level(rawValue: rawValue) ?? .info }
}
