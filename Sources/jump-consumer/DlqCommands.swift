import ArgumentParser
import Foundation
import JumpKafka
import JumpService
import JumpWorker
import Logging

extension JumpConsumer {
    struct Dlq: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dlq", abstract: "List the dead-letter topic, send fixed events back, settle the rest.",
            subcommands: [List.self, Redeliver.self, Settle.self])

        /// Brokers, Kafka settings and the dead-letter topic, resolved through the same layers as `run`.
        struct Options: ParsableArguments {
            @OptionGroup var kafka: KafkaAccess

            @Option(help: "The dead-letter topic (default jump.events.dlq).")
            var dlqTopic: String?

            func deadLetters() async throws -> DeadLetters {
                let access = try await kafka.resolve(["dlqTopic": dlqTopic])
                return DeadLetters(
                    brokers: access.brokers, overrides: access.overrides, topic: access.settings.dlqTopic,
                    logger: access.logger)
            }

            /// Every dead letter, or exit 78 (no such topic) or 69 (no broker answered) with the reason.
            func readAll(_ deadLetters: DeadLetters) async throws -> [DeadLetter] {
                do {
                    return try await deadLetters.readAll()
                } catch let missing as DeadLetterTopicMissing {
                    Console.error("\(missing)")
                    throw ExitCode(78)
                } catch let error as KafkaError {
                    Console.error("\(error.message)")
                    throw ExitCode(69)
                }
            }

            /// `PARTITION@OFFSET`, or `nil`.
            static func place(_ text: String) -> String? { DeadLetterPlace(text)?.description }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Every dead letter: its place, where it came from, and why it was refused.")

            @OptionGroup var options: Options

            @Flag(help: "Print one JSON object per dead letter (with the original value).")
            var json = false

            func run() async throws {
                let deadLetters = try await options.deadLetters()
                let letters = try await options.readAll(deadLetters)
                for letter in letters {
                    let place = letter.place
                    if json {
                        let object: [String: Any] = [
                            "partition": letter.message.topicPartition.partition, "offset": letter.message.offset,
                            "key": letter.message.keyText ?? NSNull(), "error": letter.error,
                            "detail": letter.detail, "origin": letter.origin,
                            "value": letter.message.valueText ?? NSNull(), "times": letter.times,
                            "redeliveredTo": letter.redeliveredTo ?? NSNull(),
                            "settled": letter.settled.map { ["by": $0.by, "note": $0.note] } ?? NSNull(),
                        ]
                        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                        print(String(decoding: data, as: UTF8.self))
                    } else {
                        var fields = [place, "from \(letter.origin)", letter.error, letter.detail]
                        if letter.times > 1 { fields.append("dead-lettered \(letter.times) times") }
                        if let sent = letter.redeliveredTo { fields.append("redelivered to \(sent)") }
                        if let settled = letter.settled {
                            fields.append(
                                "settled by \(settled.by)" + (settled.note.isEmpty ? "" : ": \(settled.note)"))
                        }
                        Console.fields(fields)
                    }
                }
                Console.note("\(letters.count) dead letters in \(deadLetters.topic)")
            }
        }

        struct Redeliver: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Send dead letters back to the topic they came from, once they pass validation (after a fix).",
                discussion: """
                    Each is validated with this version's rules first and refused if still invalid (--force sends \
                    it anyway). A redelivered event that was applied before is skipped as a duplicate by the worker.
                    """)

            @OptionGroup var options: Options

            @Option(help: ArgumentHelp("Redeliver this one, PARTITION@OFFSET (repeatable).", valueName: "p@o"))
            var message: [String] = []

            @Flag(help: "Redeliver every dead letter that passes validation.")
            var all = false

            @Option(help: "Send to this topic instead of the original one.")
            var to: String?

            @Flag(help: "Send even if the event is still invalid.")
            var force = false

            func validate() throws {
                guard all != !message.isEmpty else { throw ValidationError("give --message P@O (repeatable) or --all") }
                for place in message where Options.place(place) == nil {
                    throw ValidationError("--message \(place) is not PARTITION@OFFSET")
                }
            }

            func run() async throws {
                let deadLetters = try await options.deadLetters()
                let letters = try await options.readAll(deadLetters)
                let wanted = Set(message.compactMap(Options.place))
                // --all leaves out what was sent back or settled already (sending it again is harmless: the worker
                // skips an id it applied); a dead letter named with --message is sent whatever its history.
                let chosen =
                    all
                    ? letters.filter(\.isOpen)
                    : letters.filter { ([$0.place] + $0.copies).contains(where: wanted.contains) }
                let missing = wanted.subtracting(chosen.flatMap { [$0.place] + $0.copies })
                for place in missing.sorted() { printError("\(place): no such dead letter in \(deadLetters.topic)") }
                let earlier = all ? letters.count - chosen.count : 0
                if earlier > 0 { printError("\(earlier) dead letters were redelivered or settled before; left out") }
                var sent = 0
                var refused = missing.count
                let results: [Result<KafkaDeliveryReport, any Error>]
                do {
                    results = try await deadLetters.redeliver(chosen, to: to, force: force)
                } catch let missing as DeadLetterTopicMissing {
                    Console.error("\(missing)")
                    throw ExitCode(78)
                }
                for (letter, result) in zip(chosen, results) {
                    let place = letter.place
                    switch result {
                    case .success(let report):
                        sent += 1
                        Console.line("\(place) -> \(report.topicPartition)@\(report.offset)")
                    case .failure(let error):
                        refused += 1
                        printError("\(place): \(error)")
                    }
                }
                printError("redelivered \(sent), refused \(refused)")
                if refused > 0 { throw ExitCode.failure }
            }

            private func printError(_ text: String) {
                Console.note(text)
            }
        }

        struct Settle: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Mark dead letters as dealt with, without sending them back.",
                discussion: """
                    For a dead letter that needs nothing more (a test message, an event published again by hand): a \
                    settlement record in the dead-letter topic names it, who settled it and why, so every listing \
                    and the console show it settled and `redeliver --all` leaves it out. The message stays in the \
                    topic.
                    """)

            @OptionGroup var options: Options

            @Option(help: ArgumentHelp("Settle this one, PARTITION@OFFSET (repeatable).", valueName: "p@o"))
            var message: [String] = []

            @Option(help: "Why, for whoever reads the listing (at most 500 characters).")
            var note = ""

            @Option(help: "Who settles it (default: the USER environment variable).")
            var by: String?

            func validate() throws {
                guard !message.isEmpty else { throw ValidationError("give --message P@O (repeatable)") }
                for place in message where Options.place(place) == nil {
                    throw ValidationError("--message \(place) is not PARTITION@OFFSET")
                }
                guard note.count <= 500 else {
                    throw ValidationError("--note is \(note.count) characters; at most 500")
                }
                guard by.map({ (1...100).contains($0.count) }) ?? true else {
                    throw ValidationError("--by must be 1 to 100 characters")
                }
            }

            func run() async throws {
                let deadLetters = try await options.deadLetters()
                let letters = try await options.readAll(deadLetters)
                let who =
                    by ?? ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? "unknown"
                var settled = 0
                var failed = 0
                for place in Set(message.compactMap(Options.place)).sorted() {
                    guard let letter = letters.first(where: { ([$0.place] + $0.copies).contains(place) }) else {
                        Console.note("\(place): no such dead letter in \(deadLetters.topic)")
                        failed += 1
                        continue
                    }
                    if let earlier = letter.settled {
                        Console.note("\(place): already settled by \(earlier.by); left as it is")
                        continue
                    }
                    do {
                        let report = try await deadLetters.settle(letter, by: who, note: note)
                        settled += 1
                        Console.line("\(place) settled (record \(report.topicPartition)@\(report.offset))")
                    } catch {
                        failed += 1
                        Console.note("\(place): not settled: \(error)")
                    }
                }
                Console.note("settled \(settled), failed \(failed)")
                if failed > 0 { throw ExitCode.failure }
            }
        }
    }
}
