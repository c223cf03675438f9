import Foundation
import JumpEvents
import JumpKafka
import Logging
import Synchronization

/// A swift-log handler that writes one record per line to standard error, as logfmt or JSON, never with a raw
/// control character or bidirectional override (each is escaped, by the rule of `TerminalText`) and never with a
/// configured secret where it stands as a value (`KafkaProperties.redact(_:secrets:)`: assignments, quoted
/// values, whole fields; never a substring of other text): event text that reaches a log message cannot forge a
/// line or leak a password, and a password such as `info` cannot rewrite `level=info`.
///
/// In JSON, metadata keeps its type: a number or a Boolean given as one (`.stringConvertible(42)`) is a JSON
/// number or Boolean, an array an array, a dictionary an object; text is a string. In logfmt, a list is
/// comma-separated and a dictionary `key:value` pairs.
///
/// Every executable logs through it (``bootstrapProcess()``, from ``CommandMain``): its format and level follow
/// ``Configuration/process``, which starts from `JUMP_LOG_FORMAT` and `JUMP_LOG_LEVEL` and which a command sets
/// from its settings once it has read them (the configuration file's `log.format` and `log.level`).
package struct StructuredLogHandler: LogHandler {
    /// The line format.
    package enum Format: String, Sendable, CaseIterable {
        /// `time=... level=... label=... message="..." key=value`.
        case logfmt
        /// One JSON object per line.
        case json
    }

    /// The format, level and secrets handlers follow.
    package final class Configuration: Sendable {
        private let state: Mutex<(format: Format, level: Logger.Level, secrets: [String])>

        /// A configuration.
        package init(format: Format, level: Logger.Level, secrets: [String]) {
            state = Mutex((format, level, secrets.filter { !$0.isEmpty }))
        }

        /// Sets the format, the level and the secrets to redact, for every record from now on.
        package func set(format: Format, level: Logger.Level, secrets: [String]) {
            state.withLock { $0 = (format, level, secrets.filter { !$0.isEmpty }) }
        }

        /// The format, level and secrets in force.
        package var current: (format: Format, level: Logger.Level, secrets: [String]) { state.withLock { $0 } }

        /// The process's: `JUMP_LOG_FORMAT` and `JUMP_LOG_LEVEL` until a command's settings say otherwise (a value
        /// they do not name leaves the default; the command's settings then refuse it, naming it).
        package static let process: Configuration = {
            let environment = ProcessInfo.processInfo.environment
            return Configuration(
                format: environment["JUMP_LOG_FORMAT"].flatMap(Format.init(rawValue:)) ?? .logfmt,
                level: environment["JUMP_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info, secrets: [])
        }()
    }

    /// Metadata attached to every record of this logger.
    package var metadata: Logger.Metadata = [:]
    private let label: String
    private let configuration: Configuration
    private var levelOfThisLogger: Logger.Level?
    private let output: @Sendable (String) -> Void

    /// The level below which records are dropped: this logger's own if it set one, else the configuration's.
    package var logLevel: Logger.Level {
        get { levelOfThisLogger ?? configuration.current.level }
        set { levelOfThisLogger = newValue }
    }

    /// A handler for `label` with a format and secrets of its own (at level info); `output` receives complete lines
    /// (standard error by default).
    package init(
        label: String, format: Format, secrets: [String] = [],
        output: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError
    ) {
        self.init(
            label: label, configuration: Configuration(format: format, level: .info, secrets: secrets), output: output)
    }

    /// A handler for `label` following `configuration`.
    package init(
        label: String, configuration: Configuration,
        output: @escaping @Sendable (String) -> Void = StructuredLogHandler.standardError
    ) {
        self.label = label
        self.configuration = configuration
        self.output = output
    }

    /// Makes this handler, following ``Configuration/process``, every logger's in this process. Once per process.
    package static func bootstrapProcess() {
        LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, configuration: .process) }
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

    /// A field's value: text (redacted and escaped), or a JSON literal of a number, Boolean, array or object.
    enum Value {
        case text(String)
        case literal(json: String, logfmt: String)
    }

    /// Writes one record.
    package func log(event: LogEvent) {
        let (format, _, secrets) = configuration.current
        func redacted(_ text: String) -> String { KafkaProperties.redact(text, secrets: secrets) }
        // time, level and label are the handler's own; the message and metadata values are redacted in place.
        var fields: [(String, Value)] = [
            ("time", .text(RFC3339.utc(Date()))), ("level", .text(event.level.rawValue)), ("label", .text(label)),
            ("message", .text(redacted("\(event.message)"))),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            fields.append((key, Self.value(value, redacted: redacted)))
        }
        output(format == .json ? Self.json(fields) : Self.logfmt(fields))
    }

    /// A metadata value as a field: typed when it is a number, a Boolean, an array or a dictionary.
    static func value(_ value: Logger.Metadata.Value, redacted: (String) -> String) -> Value {
        switch value {
        case .string(let text): return .text(redacted(text))
        case .stringConvertible(let convertible):
            if let literal = scalarLiteral(convertible) { return .literal(json: literal, logfmt: literal) }
            return .text(redacted(convertible.description))
        case .array, .dictionary:
            return .literal(json: json(value, redacted: redacted), logfmt: plain(value, redacted: redacted))
        }
    }

    /// A metadata value as logfmt text: a list comma-separated, a dictionary `key:value` pairs in key order.
    private static func plain(_ value: Logger.Metadata.Value, redacted: (String) -> String) -> String {
        switch value {
        case .string(let text): redacted(text)
        case .stringConvertible(let convertible): redacted(convertible.description)
        case .array(let values): values.map { plain($0, redacted: redacted) }.joined(separator: ",")
        case .dictionary(let members):
            members.sorted { $0.key < $1.key }.map { "\($0.key):\(plain($0.value, redacted: redacted))" }
                .joined(separator: ",")
        }
    }

    /// A number or Boolean as JSON writes it; `nil` for anything else (and for a float that is not finite).
    private static func scalarLiteral(_ value: any CustomStringConvertible & Sendable) -> String? {
        switch value {
        case let flag as Bool: return flag ? "true" : "false"
        case let integer as any BinaryInteger: return integer.description
        case let number as Double where number.isFinite: return number.description
        case let number as Float where number.isFinite: return number.description
        default: return nil
        }
    }

    /// A metadata value as JSON, with its type.
    private static func json(_ value: Logger.Metadata.Value, redacted: (String) -> String) -> String {
        switch value {
        case .string(let text): return "\"\(escaped(redacted(text)))\""
        case .stringConvertible(let convertible):
            return scalarLiteral(convertible) ?? "\"\(escaped(redacted(convertible.description)))\""
        case .array(let values):
            return "[" + values.map { json($0, redacted: redacted) }.joined(separator: ",") + "]"
        case .dictionary(let members):
            let sorted = members.sorted { $0.key < $1.key }
            return "{"
                + sorted.map { "\"\(escaped($0.key))\":\(json($0.value, redacted: redacted))" }
                .joined(separator: ",") + "}"
        }
    }

    static func logfmt(_ fields: [(String, Value)]) -> String {
        fields.map { key, value in
            let text: String
            switch value {
            case .text(let content): text = content
            case .literal(_, let logfmt): text = logfmt
            }
            let plain =
                !text.isEmpty
                && text.unicodeScalars.allSatisfy {
                    $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\"
                }
            return "\(key)=\(plain ? text : "\"" + escaped(text) + "\"")"
        }.joined(separator: " ") + "\n"
    }

    static func json(_ fields: [(String, Value)]) -> String {
        "{"
            + fields.map { key, value in
                switch value {
                case .text(let text): "\"\(escaped(key))\":\"\(escaped(text))\""
                case .literal(let json, _): "\"\(escaped(key))\":\(json)"
                }
            }.joined(separator: ",") + "}\n"
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
