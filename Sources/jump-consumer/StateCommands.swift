import ArgumentParser
import Foundation
import JumpDigests
import JumpState

extension JumpConsumer.State {
    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts and totals, partitions held and offsets.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let summary = try await store.openForReading().summary()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(summary), as: UTF8.self))
                return
            }
            SummaryFigures(summary).lines.forEach { Console.line($0) }
        }
    }

    struct Company: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything the store knows of one company.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Argument(help: "The company id (co.aceros-del-norte) or its name as the store has it, case and accents aside.")
        var id: String

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let stateStore = try await store.openForReading()
            var report = try await stateStore.company(id)
            if report == nil {
                // Not an id: a name, if exactly one company has it.
                let named = try await stateStore.companyIDs(named: id)
                if named.count > 1 {
                    Console.error(
                        "\(named.count) companies are named \(id): \(named.joined(separator: ", ")); give the id")
                    throw ExitCode.failure
                }
                if let only = named.first { report = try await stateStore.company(only) }
            }
            guard let report else {
                Console.error(
                    "no company with the id or name \(id) in \(stateStore.path ?? "") ('jump-consumer state companies --search TEXT' lists those whose id or name contains it)"
                )
                throw ExitCode.failure
            }
            if json {
                print(try JSONText.encode(report))
            } else {
                CompanyText.render(report).forEach { Console.line($0) }
            }
        }
    }

    struct Companies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every company the store knows: id, name, country, sector, expansions and investments.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @OptionGroup var listing: ListingOptions

        @Option(
            help:
                "Only those whose id or name contains this text, case and accents aside (pacifico finds Pacifico with its accent)."
        )
        var search: String?

        func run() async throws {
            let stateStore = try await store.openForReading()
            let companies = try await stateStore.companies(matching: search, limit: listing.fetchLimit)
            if companies.isEmpty, !listing.json {
                Console.error(
                    search.map { "no company whose id or name contains \($0) in \(stateStore.path ?? "")" }
                        ?? "no company in \(stateStore.path ?? "") yet")
            }
            defer { listing.noteCut(companies.count, "companies") }
            for company in companies.prefix(listing.shownLimit) {
                if listing.json {
                    print(try JSONText.encode(company))
                } else {
                    Console.fields([
                        company.id, company.name, company.country, company.sector,
                        "\(company.expansions) expansions", "\(company.investments) investments",
                    ])
                }
            }
        }
    }

    struct Fingerprint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per partition held (partition, next offset, state hash), then one combining them.")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "The events topic.")
        var topic = "jump.events"

        @Flag(help: "Print JSON: {\"partitions\": [{\"partition\", \"nextOffset\", \"hash\"}], \"all\"}.")
        var json = false

        func run() async throws {
            let stateStore = try await store.openForReading()
            let fingerprints = try await stateStore.fingerprints(topic: topic)
            guard !fingerprints.isEmpty else {
                // The hash of nothing would "match" any other store holding nothing: no proof at all.
                Console.error(
                    "\(stateStore.path ?? "the store") holds no partition of \(topic): nothing to fingerprint "
                        + "(has a worker run on it? is --topic right?)")
                throw ExitCode.failure
            }
            let all = StateStore.combinedFingerprint(fingerprints)
            if json {
                struct Fingerprints: Encodable {
                    var partitions: [StateStore.PartitionFingerprint]
                    var all: String
                }
                print(try JSONText.encode(Fingerprints(partitions: fingerprints, all: all)))
                return
            }
            fingerprints.forEach { print($0) }
            print("all \(all)")
        }
    }
}

extension JumpConsumer.State {
    struct Anomalies: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Events the fold applied by a rule although they conflicted with the state (README, Fold rules).")

        @OptionGroup var store: JumpConsumer.StateOptions

        @Option(help: "Only this kind (completed-again, company-mismatch, direction-changed, total-saturated, ...).")
        var kind: String?

        @Option(
            help: ArgumentHelp(
                "Only those recorded within this long before now: minutes, hours or days (90m, 24h, 7d).",
                valueName: "period"))
        var since: String?

        @OptionGroup var listing: ListingOptions

        func validate() throws {
            if let since, Self.milliseconds(since) == nil {
                throw ValidationError("--since must be minutes, hours or days such as 90m, 24h or 7d, not \(since)")
            }
        }

        /// `90m`, `24h`, `7d` in milliseconds; `nil` for anything else.
        static func milliseconds(_ period: String) -> Int64? {
            guard let unit = period.last, let count = Int64(period.dropLast()), (1...100_000).contains(count) else {
                return nil
            }
            switch unit {
            case "m": return count * 60_000
            case "h": return count * 3_600_000
            case "d": return count * 86_400_000
            default: return nil
            }
        }

        func run() async throws {
            let start = since.flatMap(Self.milliseconds).map { Timestamp.now() - $0 }
            let anomalies = try await store.openForReading().anomalies(
                kind: kind, since: start, limit: listing.fetchLimit)
            defer { listing.noteCut(anomalies.count, "anomalies") }
            for anomaly in anomalies.prefix(listing.shownLimit) {
                if listing.json {
                    print(try JSONText.encode(anomaly))
                } else {
                    Console.fields([
                        "\(anomaly.partition)@\(anomaly.offset)", anomaly.kind, anomaly.eventId, anomaly.detail,
                        anomaly.recordedAt.map { Timestamp.utc($0) } ?? "-",
                    ])
                }
            }
        }
    }
}

/// How many rows a listing shows, and whether as JSON lines.
struct ListingOptions: ParsableArguments {
    @Option(help: "At most this many (default: all); standard error says when more were left out.")
    var limit: Int?

    @Flag(help: "Print one JSON object per line.")
    var json = false

    func validate() throws {
        if let limit, limit <= 0 { throw ValidationError("--limit must be 1 or more, got \(limit)") }
    }

    /// How many rows to read: one past the limit, to know whether any were left out.
    var fetchLimit: Int { limit.map { $0 == .max ? $0 : $0 + 1 } ?? .max }

    /// How many rows to print.
    var shownLimit: Int { limit ?? .max }

    /// Says on standard error that rows were left out, when `fetched` is past the limit.
    func noteCut(_ fetched: Int, _ what: String) {
        guard let limit, fetched > limit else { return }
        Console.note("the first \(limit) \(what) shown; more were left out (raise --limit, or leave it out for all)")
    }
}

/// One JSON object on one line, keys sorted.
enum JSONText {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A company's report as text for people.
enum CompanyText {
    static func render(_ report: CompanyReport) -> [String] {
        var lines: [String] = []
        if let name = report.name {
            lines.append("\(report.id): \(name) (\(report.country ?? "?"), \(report.sector ?? "?"))")
        }
        for expansion in report.expansions {
            var line = "  expansion \(expansion.id): \(expansion.status)"
            if let direction = expansion.direction { line += ", \(direction)" }
            if let city = expansion.city, let region = expansion.region { line += ", \(city) \(region)" }
            if expansion.direction != nil {
                let jobs = expansion.plannedJobs.map { "\($0) jobs" } ?? "jobs not disclosed"
                let money = expansion.plannedInvestmentUsdCents.map { "USD \(DigestText.exactDollars($0))" }
                line += ", planned \(jobs) and \(money ?? "investment not disclosed")"
            }
            if let jobs = expansion.actualJobs, let cents = expansion.actualInvestmentUsdCents {
                line += ", actual \(jobs) jobs and USD \(DigestText.exactDollars(cents))"
            }
            if let reason = expansion.withdrawalReason { line += " (\(reason))" }
            line += inTheLog(expansion.placesInLog)
            lines.append(line)
        }
        for investment in report.investments {
            lines.append(
                "  investment \(investment.id): \(investment.direction), USD "
                    + "\(DigestText.exactDollars(investment.amountUsdCents)), \(investment.region), \(investment.announcedOn)"
                    + inTheLog(investment.placesInLog))
        }
        return lines
    }

    /// `; in the log: announced 3@120, completed 3@455`, or nothing (a row folded before migration v14).
    private static func inTheLog(_ places: [String]) -> String {
        places.isEmpty ? "" : "; in the log: " + places.joined(separator: ", ")
    }
}

extension JumpConsumer.State {
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Copy the store and the notifier's file beside it, each consistently (SQLite's online backup), to new owner-only files while workers keep running."
        )

        @OptionGroup var store: JumpConsumer.StateOptions

        @Argument(help: "The new file (never overwritten); the notifier's goes beside it, as NAME.notifier.sqlite.")
        var destination: String

        func run() async throws {
            let source = try await store.openForReading()
            do {
                try source.backup(to: destination)
            } catch {
                Console.error("backup of \(source.path ?? "") failed: \(error)")
                throw ExitCode.failure
            }
            Console.line(
                "backed up \(source.path ?? "") to \(destination) and its notifier's file to "
                    + StorePath.notifierFile(besideStateStore: destination))
        }
    }
}
