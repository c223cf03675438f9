import Foundation
import JumpCommandLine
import JumpEvents
import JumpKafka
import JumpWorker
import Logging
import Metrics
import Prometheus
import Synchronization

/// A swift-log handler that writes one record per line to standard error, as logfmt or JSON, never with a raw
/// control character or bidirectional override (each is escaped, by the rule of `TerminalText`) and never with a
/// configured secret where it stands as a value (`KafkaProperties.redact(_:secrets:)`: assignments, quoted
/// values, whole fields; never a substring of other text): event text that reaches a log message cannot forge a
/// line or leak a password, and a password such as `info` cannot rewrite `level=info`.
package struct StructuredLogHandler: LogHandler {
    /// The line format.
    package enum Format: String, Sendable, CaseIterable {
        /// `time=... level=... label=... message="..." key=value`.
        case logfmt
        /// One JSON object per line.
        case json
    }

    /// The level below which records are dropped.
    package var logLevel: Logger.Level = .info
    /// Metadata attached to every record of this logger.
    package var metadata: Logger.Metadata = [:]
    private let label: String
    private let format: Format
    private let secrets: [String]
    private let output: @Sendable (String) -> Void

    /// A handler for `label`; `output` receives complete lines (standard error by default).
    package init(
        label: String, format: Format, secrets: [String] = [],
        output: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError
    ) {
        self.label = label
        self.format = format
        self.secrets = secrets.filter { !$0.isEmpty }
        self.output = output
    }

    /// Writes a line to standard error in one call, so lines of concurrent records never interleave.
    package static let standardError: @Sendable (String) -> Void = { line in
        StandardStream.write(line, to: STDERR_FILENO)
    }

    /// Metadata by key.
    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one record.
    package func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("time", RFC3339.utc(Date())), ("level", event.level.rawValue), ("label", label),
            ("message", "\(event.message)"),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { fields.append((key, "\(value)")) }
        // time, level and label are the handler's own; the message and metadata values are redacted in place.
        for index in 3..<fields.count {
            fields[index].1 = KafkaProperties.redact(fields[index].1, secrets: secrets)
        }
        output(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let plain =
                !value.isEmpty
                && value.unicodeScalars.allSatisfy {
                    $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
                }
            return "\(key)=\(plain ? value : "\"" + escaped(value) + "\"")"
        }.joined(separator: " ") + "\n"
    }

    static func json(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\(escaped($0.0))\":\"\(escaped($0.1))\"" }.joined(separator: ",") + "}\n"
    }

    /// Escapes quotes, backslashes and every control or line-separating character.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where TerminalText.isUnsafe(scalar):
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

extension StructuredLogHandler {
    /// Makes this handler the process's logging backend (at `level`, redacting `secrets` and the secret values
    /// among the librdkafka `overrides`) and a Prometheus registry its metrics backend; returns the registry, for
    /// `/metrics`. Once per process.
    package static func bootstrap(
        format: Format, level: Logger.Level, secrets: [String], overrides: [String: String]
    ) -> PrometheusCollectorRegistry {
        let redacted = secrets + overrides.filter { KafkaProperties.isSecret($0.key) }.map(\.value)
        LoggingSystem.bootstrap { label in
            var handler = StructuredLogHandler(label: label, format: format, secrets: redacted)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // An event's age is seconds at best and hours behind a stopped worker: buckets up to an hour.
        factory.durationHistogramBuckets["jump_event_age_seconds"] =
            [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600].map { .seconds($0) }
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
