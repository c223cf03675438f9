import ArgumentParser
import Foundation
import JumpState

extension JumpConsumer.State {
    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts and totals, partitions held and offsets.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let summary = try store.openForReading().summary()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            SummaryText.render(summary).forEach { Console.line($0) }
        }
    }

    struct Company: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything the store knows of one company.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Argument(help: "The company id, such as co.aceros-del-norte.")
        var id: String

        func run() throws {
            guard let lines = try store.openForReading().company(id) else {
                Console.error("no company \(id) in \(store.path)")
                throw ExitCode.failure
            }
            lines.forEach { Console.line($0) }
        }
    }

    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per partition held (partition, next offset, state hash), then one combining them.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "The events topic.")
        var topic = "jump.events"

        func run() throws {
            let fingerprints = try store.openForReading().fingerprints(topic: topic)
            fingerprints.forEach { print($0) }
            print("all \(StateStore.combinedFingerprint(fingerprints))")
        }
    }
}

extension JumpConsumer.State {
    struct Anomalies: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Events the fold applied by a rule although they conflicted with the state (README, Fold rules).")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "Only this kind (completed-again, company-mismatch, direction-changed, total-saturated, ...).")
        var kind: String?

        @Option(help: "At most this many (default 1000).")
        var limit = 1_000

        @Flag(help: "Print one JSON object per anomaly.")
        var json = false

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be 1 or more, got \(limit)") }
        }

        func run() throws {
            let anomalies = try store.openForReading().anomalies(kind: kind, limit: limit)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for anomaly in anomalies {
                if json {
                    print(String(decoding: try encoder.encode(anomaly), as: UTF8.self))
                } else {
                    Console.line(
                        "\(anomaly.partition)@\(anomaly.offset)\t\(anomaly.kind)\t\(anomaly.eventId)\t\(anomaly.detail)"
                    )
                }
            }
        }
    }
}

/// The summary as text for people.
enum SummaryText {
    static func render(_ summary: StateSummary) -> [String] {
        var lines = [
            "events applied \(summary.eventsApplied), duplicates skipped \(summary.duplicatesSkipped), "
                + "dead-lettered \(summary.deadLettered), anomalies \(summary.anomalies)",
            "partitions: "
                + summary.partitions.map { "\($0.topic)[\($0.partition)]@\($0.nextOffset)" }.joined(separator: " "),
            "companies: " + counts(summary.companiesByCountry),
        ]
        for totals in summary.expansions {
            lines.append(
                "expansions \(totals.direction) \(totals.status): \(totals.count), planned \(totals.plannedJobs) jobs "
                    + "USD \(StateStore.dollars(totals.plannedInvestmentUsdCents)), actual \(totals.actualJobs) jobs "
                    + "USD \(StateStore.dollars(totals.actualInvestmentUsdCents))")
        }
        for (direction, figures) in summary.investmentsByDirection.sorted(by: { $0.key < $1.key }) {
            lines.append("investments \(direction): \(figures[0]), USD \(StateStore.dollars(figures[1]))")
        }
        for figure in summary.exports {
            lines.append(
                "exports \(figure.series) \(figure.period): USD \(StateStore.dollars(figure.value))"
                    + (figure.revisions > 0 ? " (revised \(figure.revisions)×)" : ""))
        }
        for figure in summary.jobs {
            lines.append(
                "jobs \(figure.series) \(figure.period): \(figure.value)"
                    + (figure.revisions > 0 ? " (revised \(figure.revisions)×)" : ""))
        }
        lines.append("meetings: \(summary.meetings)")
        lines.append("initiatives: " + counts(summary.initiativesByStatus))
        if summary.totals.hasSaturatedFigure {
            lines.append("a running total saturated (shown as a lower bound); see 'jump-consumer state anomalies'")
        }
        return lines
    }

    /// `MX 3, US 2`, or `none`.
    private static func counts(_ counts: [String: Int]) -> String {
        counts.isEmpty
            ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}

extension JumpConsumer.State {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Copy the store, consistently, to a new owner-only file while workers keep running (SQLite's online backup)."
        )

        @OptionGroup var store: JumpConsumer.StateOptions

        @Argument(help: "The new file (never overwritten).")
        var destination: String

        func run() throws {
            let source = try store.openForReading()
            do {
                try source.backup(to: destination)
            } catch {
                Console.error("backup of \(store.path) failed: \(error)")
                throw ExitCode.failure
            }
            Console.line("backed up \(store.path) to \(destination)")
        }
    }
}
