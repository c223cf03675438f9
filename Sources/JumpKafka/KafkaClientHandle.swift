import CRdKafka
import Logging
import Synchronization

/// What librdkafka's callbacks need from Swift; reached through the client's opaque pointer.
final class KafkaClientContext: Sendable {
    let logger: Logger
    /// The client's properties, kept only to redact secret values from librdkafka's text.
    let properties: [String: String]
    /// The first fatal error librdkafka raised, if any.
    let fatalError = Mutex<KafkaError?>(nil)
    /// The consumer's rebalance state, for consumers.
    let rebalance: KafkaRebalanceState?
    /// The last non-fatal error librdkafka reported (a broker that cannot be resolved or reached), redacted.
    let lastError = Mutex<String?>(nil)

    init(logger: Logger, properties: [String: String], rebalance: KafkaRebalanceState? = nil) {
        self.logger = logger
        self.properties = properties
        self.rebalance = rebalance
    }

    /// librdkafka's `text` with secrets redacted.
    func redact(_ text: String) -> String { KafkaProperties.redact(text, secretsOf: properties) }

    /// librdkafka's `text` as a log line may hold it, whatever log handler the application bootstrapped:
    /// secrets redacted, unsafe characters escaped.
    func loggable(_ text: String) -> String { LibrdkafkaText.escaped(redact(text)) }

    /// The context of a client, from the opaque pointer it was created with.
    static func of(_ handle: OpaquePointer?) -> KafkaClientContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<KafkaClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Owns one `rd_kafka_t` and the context its callbacks use; destroys both in `deinit`.
///
/// `@unchecked Sendable`: librdkafka documents `rd_kafka_t` as thread-safe for every call this module makes
/// on it, and the pointer itself never changes after `init`.
final class KafkaClientHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let context: KafkaClientContext
    private let retainedContext: Unmanaged<KafkaClientContext>

    /// Creates a client from flattened properties; `configure` adds type-specific callbacks to the conf.
    init(
        type: rd_kafka_type_t, properties: [String: String], context: KafkaClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        let conf = try Self.makeConf(properties, context: context)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_log_cb(conf) { handle, level, facility, text in
            guard let context = KafkaClientContext.of(handle), let text else { return }
            let facility = facility.map { String(cString: $0) } ?? "-"
            context.logger.log(
                level: Logger.Level(syslog: level), "\(context.loggable(String(cString: text)))",
                metadata: ["rdkafka.facility": "\(LibrdkafkaText.escaped(facility))"])
        }
        rd_kafka_conf_set_error_cb(conf) { handle, code, reason, _ in
            guard let context = KafkaClientContext.of(handle) else { return }
            let reason = context.redact(reason.map { String(cString: $0) } ?? "")
            if code == RD_KAFKA_RESP_ERR__FATAL.rawValue, let handle {
                var buffer = [CChar](repeating: 0, count: 512)
                let underlying = rd_kafka_fatal_error(handle, &buffer, buffer.count)
                let error = KafkaError.rdKafka(
                    underlying, context: context.redact(String(nulTerminated: buffer)), isFatal: true)
                context.fatalError.withLock { if $0 == nil { $0 = error } }
                context.logger.error(
                    "librdkafka raised a fatal error", metadata: ["error": "\(LibrdkafkaText.escaped("\(error)"))"])
            } else {
                let name = KafkaErrorCode(rawValue: code).name
                context.lastError.withLock { $0 = "\(name): \(reason)" }
                context.logger.warning("\(LibrdkafkaText.escaped(reason))", metadata: ["rdkafka.error": "\(name)"])
            }
        }
        configure(conf)

        var errorText = [CChar](repeating: 0, count: 512)
        guard let pointer = rd_kafka_new(type, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            retained.release()
            throw KafkaError(
                kind: .configuration,
                message: context.redact("cannot create client: \(String(nulTerminated: errorText))"))
        }
        self.pointer = pointer
        self.context = context
        self.retainedContext = retained
    }

    deinit {
        rd_kafka_destroy(pointer)
        retainedContext.release()
    }

    /// The fatal error librdkafka raised, if any; every later operation should fail with it.
    var fatalError: KafkaError? { context.fatalError.withLock { $0 } }

    private static func makeConf(
        _ properties: [String: String], context: KafkaClientContext
    ) throws(KafkaError) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key })
        where rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
            rd_kafka_conf_destroy(conf)
            let shown = KafkaProperties.isSecret(key) ? KafkaProperties.redacted : "'\(value)'"
            throw KafkaError(
                kind: .configuration,
                message: context.redact("property \(key)=\(shown) refused: \(String(nulTerminated: errorText))"))
        }
        return conf
    }
}

extension Logger.Level {
    /// Maps a syslog severity (librdkafka's log levels) to a swift-log level.
    init(syslog level: Int32) {
        switch level {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}

extension String {
    /// Decodes a NUL-terminated C character buffer filled in by librdkafka.
    init(nulTerminated buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension KafkaClientHandle {
    /// How many partitions `topic` has, asked of the cluster (blocking for at most `milliseconds`); `nil` when it
    /// has no such topic.
    ///
    /// - Throws: ``KafkaError`` when no broker answered, with librdkafka's last error.
    func partitionCount(of topic: String, milliseconds: Int32) throws(KafkaError) -> Int? {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        // All topics: asking for one by name would make a broker that allows it create the topic.
        let code = rd_kafka_metadata(pointer, 1, nil, &metadata, milliseconds)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            let reason = context.lastError.withLock { $0 }.map { " (\($0))" } ?? ""
            throw KafkaError.rdKafka(code, context: "no broker answered for the topics' metadata\(reason)")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let found = topics.first(where: { String(cString: $0.topic) == topic }),
            found.err == RD_KAFKA_RESP_ERR_NO_ERROR
        else { return nil }
        return Int(found.partition_cnt)
    }
}
