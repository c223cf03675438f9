import Foundation
import JumpKafka
import JumpState
import Logging

/// A sink a digest configuration may list.
package enum DigestSinkKind: String, Sendable, Codable, ConfigurationChoice {
    /// The digest log, `digests.log`: the text staff and operators read (`tail -F`).
    case log
    /// The JSON-lines file, `digests.jsonl`: one digest JSON per line.
    case jsonl
    /// The `jump.digests` topic, keyed by audience.
    case topic
    /// E-mail to every staff member of the audience.
    case email
}

/// The sinks of one process, made in one place from the configuration's typed list: the files in the digest
/// directory, e-mail, and the topic when the process has a producer for it.
package struct DigestSinks: Sendable {
    /// The sinks this process delivers through.
    package let serving: [any DigestSink]
    /// Every listed sink, each giving its deliveries their rows; one this process cannot serve (the topic without
    /// a producer) is a placeholder whose rows stay pending for a process that can.
    package let listed: [any DigestSink]
    /// The producer the topic sink publishes through, made only when the topic is listed and the files can be
    /// written (its owner closes it).
    package let topicProducer: KafkaProducer?

    /// The sinks `configuration` lists. The file sinks' files are created empty in `directory` (so `tail -F` can
    /// follow them before the first digest), which is checked writable first; the topic sink publishes to
    /// `topic.name` through the producer `topic.makeProducer` makes, after that check.
    ///
    /// - Throws: ``DigestDirectoryError`` when a file sink is listed and `directory` cannot hold its file; what
    ///   `makeProducer` throws.
    package init(
        _ configuration: DigestConfiguration, directory: String,
        topic: (name: String, makeProducer: () throws -> KafkaProducer)?, logger: Logger
    ) throws {
        if configuration.sinks.contains(.log) || configuration.sinks.contains(.jsonl) {
            try AppendOnlyFileSink.checkWritable(directory)
        }
        let producer = try configuration.sinks.contains(.topic) ? topic?.makeProducer() : nil
        topicProducer = producer
        var serving: [any DigestSink] = []
        var listed: [any DigestSink] = []
        for kind in configuration.sinks {
            let sink: (any DigestSink)?
            switch kind {
            case .log, .jsonl:
                let file =
                    kind == .log ? AppendOnlyFileSink.log(directory: directory) : .jsonLines(directory: directory)
                file.createIfAbsent()
                sink = file
            case .email: sink = EmailSink.configured(configuration)
            case .topic:
                if let producer, let name = topic?.name {
                    sink = TopicDigestSink(producer: producer, topic: name, logger: logger)
                } else {
                    sink = nil
                }
            }
            if let sink {
                serving.append(sink)
                listed.append(sink)
            } else if kind == .topic {
                listed.append(UnservedSink(name: kind.rawValue))
            }
        }
        self.serving = serving
        self.listed = listed
    }
}

/// A sink listed in the configuration that this process cannot serve; it only gives its deliveries their rows.
private struct UnservedSink: DigestSink {
    let name: String
    func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        throw DeliveryFailure("\(name) is not available in this process")
    }
}
