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
            let summary = try StateStore.openForReading(path: store.path).summary()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            print(SummaryText.render(summary))
        }
    }

    struct Company: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything the store knows of one company.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Argument(help: "The company id, such as co.aceros-del-norte.")
        var id: String

        func run() throws {
            guard let lines = try StateStore.openForReading(path: store.path).company(id) else {
                FileHandle.standardError.write(Data("no company \(id) in \(store.path)\n".utf8))
                throw ExitCode.failure
            }
            lines.forEach { print($0) }
        }
    }

    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per partition held (partition, next offset, state hash), then one combining them.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "The events topic.")
        var topic = "jump.events"

        func run() throws {
            let fingerprints = try StateStore.openForReading(path: store.path).fingerprints(topic: topic)
            fingerprints.forEach { print($0) }
            print("all \(StateStore.combinedFingerprint(fingerprints))")
        }
    }
}

/// The summary as text for people.
enum SummaryText {
    static func render(_ summary: StateSummary) -> String {
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
        return lines.joined(separator: "\n")
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
            do {
                try StateStore.openForReading(path: store.path).backup(to: destination)
            } catch {
                FileHandle.standardError.write(Data("jump-consumer: backup of \(store.path) failed: \(error)\n".utf8))
                throw ExitCode.failure
            }
            print("backed up \(store.path) to \(destination)")
        }
    }
}
