import ArgumentParser
import Foundation
import JumpKafka
import JumpService
import JumpWorker
import Logging

extension JumpConsumer {
    struct Placement: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Where events belong: the partition of a subject, and the cut-over for checking keys.",
            discussion: """
                State is partition-local: the state worker moves an event whose subject hashes to another partition \
                (placement.partitioner, default murmur2_random) there. See Deploy/OPERATIONS.md, "Partitioners".
                """,
            subcommands: [Cutover.self, Where.self])

        struct Cutover: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print placement.checkFrom: the end of every partition of the events topic now.",
                discussion: """
                    For a deployment whose log already holds events: stop the publishers, run this, put the line in \
                    every state worker's configuration (or JUMP_PLACEMENT_CHECK_FROM), then start the publishers \
                    with the new partitioner. Events before these offsets stay where they are, on every rebuild.
                    """)

            @OptionGroup var kafka: KafkaAccess

            @Option(name: [.customShort("t"), .long], help: "The events topic (default jump.events).")
            var topic: String?

            @Flag(help: "Print the configuration fragment as JSON.")
            var json = false

            func run() async throws {
                let access = try await kafka.resolve(["topic": topic])
                let offsets: [Int32: Int64]
                do {
                    offsets = try await KeyPlacement.cutover(
                        brokers: access.brokers, overrides: access.overrides, topic: access.settings.topic,
                        logger: access.logger)
                } catch let error as TopicMissing {
                    Console.error("\(error)")
                    throw ExitCode(78)
                } catch let error as KafkaError {
                    Console.error("\(error.message)")
                    throw ExitCode(error.kind == .configuration ? 78 : 69)
                }
                let text = KeyPlacement.cutoverText(offsets)
                if json {
                    print(#"{"placement": {"checkFrom": "\#(text)"}}"#)
                } else {
                    print("placement.checkFrom = \(text)")
                }
            }
        }

        struct Where: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "The partition each subject belongs in, under each partitioner (no broker needed).")

            @Option(help: "The events topic's partition count.")
            var partitions: Int32

            @Argument(help: "Subjects (event keys), such as jobs.mexico-utah-trade.")
            var subjects: [String]

            func validate() throws {
                guard partitions > 0 else { throw ValidationError("--partitions must be 1 or more") }
                guard !subjects.isEmpty, subjects.allSatisfy({ !$0.isEmpty }) else {
                    throw ValidationError("give one or more non-empty subjects")
                }
            }

            func run() {
                for subject in subjects {
                    let places = KafkaPartitioner.all.map {
                        "\($0.name)=\($0.partition(of: subject.utf8, partitionCount: partitions))"
                    }
                    Console.fields([subject] + places)
                }
            }
        }
    }
}
