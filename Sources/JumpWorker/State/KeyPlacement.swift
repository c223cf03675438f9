import Foundation
import JumpKafka
import Logging

/// Where an event belongs: state is partition-local, so every event about a subject must be folded in the
/// partition its subject hashes to. Clients that hash keys another way (kcat and confluent-kafka default to CRC32,
/// jump-relay and the Java client to murmur2), or key events by something else, put events in the wrong partition;
/// the state worker moves each such event to its partition instead of folding it where it arrived.
///
/// - The check starts at a cut-over offset per partition (``checkFrom``): what the log held before the switch to
///   this partitioner stays where it is, so a rebuild from the log folds it as it was folded.
/// - An event that was already moved (it carries ``rerouteHeader``) and is still misplaced is never moved again: it
///   goes to the dead-letter topic (reason `misplaced`), where `dlq redeliver` sends it to its partition.
package struct KeyPlacement: Sendable, Equatable {
    /// The partitioner keys are checked against, or `nil` to fold every event where it arrives.
    package var partitioner: KafkaPartitioner? = .murmur2Random
    /// Per partition, the first offset checked; partitions not listed are checked from the start of the log.
    package var checkFrom: [Int32: Int64] = [:]

    /// The header a moved event carries: `topic/partition@offset` of the place it came from.
    package static let rerouteHeader = "jump.rerouted.from"

    /// The default: murmur2, checked from the start of every partition.
    package init() {}

    /// A placement checked against `partitioner` from the given offsets.
    package init(partitioner: KafkaPartitioner?, checkFrom: [Int32: Int64] = [:]) {
        self.partitioner = partitioner
        self.checkFrom = checkFrom
    }

    /// What becomes of an event, given where it was read.
    enum Decision: Equatable {
        /// Folded where it is: in place, before the cut-over, or nothing is checked.
        case stays
        /// Moved to its partition.
        case moves(to: Int32)
        /// Dead-lettered: it belongs in `belongs` but was moved once already (`jump.rerouted.from` from `from`).
        case refused(belongs: Int32, from: String)
    }

    /// What becomes of an event about `subject` read at `partition`@`offset`.
    func decide(
        subject: String, partition: Int32, offset: Int64, partitionCount: Int32, headers: [KafkaHeader]
    ) -> Decision {
        guard let partitioner, offset >= checkFrom[partition, default: 0], partitionCount > 0 else { return .stays }
        let belongs = partitioner.partition(of: subject.utf8, partitionCount: partitionCount)
        guard belongs != partition else { return .stays }
        if let moved = headers.first(where: { $0.name == Self.rerouteHeader }) {
            return .refused(belongs: belongs, from: moved.text ?? "?")
        }
        return .moves(to: belongs)
    }

    /// Cut-over offsets as written in the configuration and printed by `jump-consumer placement cutover`:
    /// `PARTITION@OFFSET` pairs separated by commas (`0@1200,1@980`); `nil` when the text is not that.
    package static func cutover(parsing text: String) -> [Int32: Int64]? {
        var offsets: [Int32: Int64] = [:]
        for pair in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.trimmingCharacters(in: .whitespaces).split(
                separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let partition = Int32(parts[0]), partition >= 0, let offset = Int64(parts[1]),
                offset >= 0, offsets.updateValue(offset, forKey: partition) == nil
            else { return nil }
        }
        return offsets
    }

    /// The text form of cut-over offsets, in partition order.
    package static func cutoverText(_ offsets: [Int32: Int64]) -> String {
        offsets.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")
    }
}

extension KeyPlacement {
    /// The cut-over for switching a running deployment to key checks: the end of every partition of `topic` now
    /// (its high watermark), as ``checkFrom`` wants it. Events already in the log stay where they are.
    ///
    /// - Throws: ``TopicMissing`` when the cluster has no such topic; a ``KafkaError`` when no broker answers.
    package static func cutover(
        brokers: [String], overrides: [String: String], topic: String, logger: Logger
    ) async throws -> [Int32: Int64] {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers, groupID: "jump-placement-cutover", topics: [topic])
        configuration.overrides = overrides.filter { !$0.key.hasPrefix("group.") }
        let reader = try KafkaConsumer.reader(configuration: configuration, logger: logger)
        do {
            guard let count = try await reader.partitionCount(of: topic) else { throw TopicMissing(topic: topic) }
            var offsets: [Int32: Int64] = [:]
            for partition in 0..<Int32(count) {
                offsets[partition] = try await reader.watermarks(
                    for: KafkaTopicPartition(topic: topic, partition: partition)
                ).high
            }
            try? await reader.close()
            return offsets
        } catch {
            try? await reader.close()
            throw error
        }
    }
}
