import Foundation
import JumpTestSupport
import Testing

/// Events about the same subjects published by four clients, each with its default partitioner — jump-producer and
/// kafka-python (murmur2), confluent-kafka and kcat (CRC32) — fold into one consistent state: the state worker moves
/// every event that arrived in a partition its subject does not hash to (murmur2) to its own, applies it there once,
/// and records the move. Real processes, a real broker, real clients.
@Suite("Partitioners of other clients")
struct PartitionerTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(
            arguments: ["--broker-count", "1", "--partitions", "6", "--topic", "reference.events:6"])
        directory = try testDirectory("partitioners")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func consumer(_ arguments: [String], environment: [String: String]? = nil) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, environment: environment, timeout: .seconds(120))
    }

    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    /// Runs the state worker over `topic` until it is caught up.
    func fold(_ topic: String, into state: String, group: String) async throws {
        let run = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "state", "--http",
                "off",
            ]
                + ["-t", topic, "--group", group] + quickGroupArguments)
        #expect(run.status == 0, "\(run.stderr)")
    }

    /// The summary without what depends on where and in which order events arrived: the moves, the next offsets,
    /// and the value of a revised period (the revision read last wins, and the clients published in turn), also in
    /// the totals' latest figures.
    func placementFree(_ summary: [String: Any]) -> String {
        var kept = summary.filter { !["anomalies", "duplicatesSkipped", "partitions"].contains($0.key) }
        for series in ["exports", "jobs"] {
            kept[series] = (summary[series] as? [[String: Any]])?.map { period in
                (period["revisions"] as? Int ?? 0) > 0 ? period.filter { $0.key != "value" } : period
            }
        }
        if var totals = summary["totals"] as? [String: Any] {
            for series in ["exports", "jobs"] {
                totals[series] = (totals[series] as? [[String: Any]])?.map {
                    $0.filter { !["value", "previousValue"].contains($0.key) }
                }
            }
            kept["totals"] = totals
        }
        let data = try? JSONSerialization.data(withJSONObject: kept, options: [.sortedKeys])
        return String(decoding: data ?? Data(), as: UTF8.self)
    }

    /// The partition each subject belongs to under each partitioner, from `jump-consumer placement where`.
    func placements(_ subjects: Set<String>) async throws -> [String: (murmur2: Int, crc32: Int)] {
        let result = try await consumer(["placement", "where", "--partitions", "6"] + subjects.sorted())
        #expect(result.status == 0, "\(result.stderr)")
        var places: [String: (Int, Int)] = [:]
        for line in result.stdout.split(separator: "\n") {
            let fields = line.split(separator: "\t").map(String.init)
            let numbers = fields.dropFirst().compactMap { Int($0.split(separator: "=").last ?? "") }
            if fields.count == 3, numbers.count == 2 { places[fields[0]] = (numbers[0], numbers[1]) }
        }
        return places
    }

    @Test("jump-producer, kafka-python, confluent-kafka and kcat with their defaults give one consistent state")
    func fourClients() async throws {
        let generated = try await runCommand(product("jump-producer"), ["generate", "--count", "400", "--seed", "21"])
        let lines = generated.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 400)
        let subjects = try lines.map { try json($0)["subject"] as? String ?? "" }
        func quarter(_ index: Int) -> [Int] { Array(stride(from: index, to: lines.count, by: 4)) }
        func text(_ indices: [Int]) -> String { indices.map { lines[$0] + "\n" }.joined() }

        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, "-"], input: text(quarter(0)))
        #expect(published.status == 0, "\(published.stderr)")
        let script = packageRoot.appendingPathComponent("Tests/Interop/keyed_producer.py").path
        var chosen: [String: [(partition: Int, subject: String)]] = [:]
        for (client, index) in [("kafka-python", 1), ("confluent-kafka", 2)] {
            let sent = try await runCommand(
                "python3", [script, client, broker.bootstrapServers, "jump.events"], input: text(quarter(index)))
            #expect(sent.status == 0, "\(client): \(sent.stderr)")
            chosen[client] = sent.stdout.split(separator: "\n").map {
                let fields = $0.split(separator: "\t")
                return (Int(fields.first ?? "") ?? -1, String(fields.last ?? ""))
            }
        }
        let keyed = quarter(3).map { "\(subjects[$0])\t\(lines[$0])\n" }.joined()
        let kcat = try await runCommand(
            "kcat", ["-P", "-b", broker.bootstrapServers, "-t", "jump.events", "-K", "\t"], input: keyed)
        #expect(kcat.status == 0, "\(kcat.stderr)")
        let reference = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, "-t", "reference.events", "-"],
            input: generated.stdout)
        #expect(reference.status == 0, "\(reference.stderr)")

        // `placement where` computes what each client does: kafka-python murmur2, confluent-kafka CRC32.
        let places = try await placements(Set(subjects))
        let python = chosen["kafka-python"] ?? []
        let confluent = chosen["confluent-kafka"] ?? []
        #expect(python.count == 100 && python.allSatisfy { places[$0.subject]?.murmur2 == $0.partition })
        #expect(confluent.count == 100 && confluent.allSatisfy { places[$0.subject]?.crc32 == $0.partition })
        // jump-producer now places keys as kafka-python does: every reference event is in its murmur2 partition.
        let placed = try await runCommand(
            "kcat",
            [
                "-C", "-b", broker.bootstrapServers, "-t", "reference.events", "-o", "beginning", "-e", "-q", "-f",
                "%p %k\n",
            ])
        let referencePlaces = placed.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(referencePlaces.count == 400)
        #expect(referencePlaces.allSatisfy { places[$0.last ?? ""]?.murmur2 == Int($0.first ?? "") })

        let misplaced = (quarter(2) + quarter(3)).filter {
            let place = places[subjects[$0]]
            return place.map { $0.crc32 != $0.murmur2 } ?? false
        }.count
        #expect(misplaced > 50, "the seed must give CRC32 and murmur2 disagreements to move")

        let state = path("mixed.sqlite")
        let referenceState = path("reference.sqlite")
        try await fold("jump.events", into: state, group: "mixed")
        try await fold("reference.events", into: referenceState, group: "reference")
        let mixed = try json(try await consumer(["state", "summary", "--json", "--state", state]).stdout)
        let expected = try json(try await consumer(["state", "summary", "--json", "--state", referenceState]).stdout)
        #expect(mixed["eventsApplied"] as? Int == 400 && mixed["duplicatesSkipped"] as? Int == 0, "\(mixed)")
        #expect(placementFree(mixed) == placementFree(expected))
        let moves = try await consumer(
            ["state", "anomalies", "--kind", "misplaced-key", "--json", "--state", state])
        #expect(moves.stdout.split(separator: "\n").count == misplaced, "\(moves.stdout.prefix(400))")
        // Every moved copy names where it came from, in its own partition.
        let headers = try await runCommand(
            "kcat",
            [
                "-C", "-b", broker.bootstrapServers, "-t", "jump.events", "-o", "beginning", "-e", "-q", "-f",
                "%p %k %h\n",
            ])
        let copies = headers.stdout.split(separator: "\n").filter { $0.contains("jump.rerouted.from=jump.events/") }
        #expect(copies.count == misplaced)
        #expect(
            copies.allSatisfy { line in
                let fields = line.split(separator: " ")
                return fields.count >= 2 && places[String(fields[1])]?.murmur2 == Int(fields[0])
            })

        // A rebuild from the log decides the same way: the moved copies are already in their partitions, so the
        // moves made again are recognized there as duplicates, and the state is the same.
        let rebuilt = path("rebuilt.sqlite")
        try await fold("jump.events", into: rebuilt, group: "rebuild")
        let again = try json(try await consumer(["state", "summary", "--json", "--state", rebuilt]).stdout)
        #expect(again["eventsApplied"] as? Int == 400 && again["duplicatesSkipped"] as? Int == misplaced)
        #expect(placementFree(again) == placementFree(expected))
    }

    /// Publishes `count` generated events with kcat (CRC32, librdkafka's default) keyed by subject; returns how many
    /// of them murmur2 places elsewhere.
    func publishWithKcat(count: Int, seed: Int) async throws -> Int {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", String(count), "--seed", String(seed)])
        let lines = generated.stdout.split(separator: "\n").map(String.init)
        let subjects = try lines.map { try json($0)["subject"] as? String ?? "" }
        let sent = try await runCommand(
            "kcat", ["-P", "-b", broker.bootstrapServers, "-t", "jump.events", "-K", "\t"],
            input: zip(subjects, lines).map { "\($0)\t\($1)\n" }.joined())
        #expect(sent.status == 0, "\(sent.stderr)")
        let places = try await placements(Set(subjects))
        return subjects.filter { places[$0].map { $0.crc32 != $0.murmur2 } ?? false }.count
    }

    /// The number of `misplaced-key` anomalies (moves) a store recorded.
    func moves(in state: String) async throws -> Int {
        let listing = try await consumer(
            ["state", "anomalies", "--kind", "misplaced-key", "--json", "--limit", "100000", "--state", state])
        #expect(listing.status == 0, "\(listing.stderr)")
        return listing.stdout.split(separator: "\n").count
    }

    @Test("a cut-over keeps what the log held before it where it is; checks can be turned off")
    func cutover() async throws {
        let before = try await publishWithKcat(count: 60, seed: 4)
        #expect(before > 10)
        let cut = try await consumer(["placement", "cutover", "-b", broker.bootstrapServers])
        #expect(cut.status == 0, "\(cut.stderr)")
        let line = cut.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("placement.checkFrom = ") && line.split(separator: ",").count == 6, "\(line)")
        let checkFrom = String(line.dropFirst("placement.checkFrom = ".count))
        #expect(
            checkFrom.split(separator: ",").compactMap { Int($0.split(separator: "@").last ?? "") }.reduce(0, +) == 60)
        let after = try await publishWithKcat(count: 40, seed: 5)

        // Only what came after the cut-over moves.
        let environment = ProcessInfo.processInfo.environment
        let state = path("cutover.sqlite")
        let run = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "state", "--http",
                "off",
            ]
                + ["--group", "cutover"] + quickGroupArguments,
            environment: environment.merging(["JUMP_PLACEMENT_CHECK_FROM": checkFrom]) { $1 })
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try json(try await consumer(["state", "summary", "--json", "--state", state]).stdout)
        #expect(summary["eventsApplied"] as? Int == 100, "\(summary)")
        #expect(try await moves(in: state) == after)

        // With checks off nothing moves (the moved copies now in the log are duplicates of the same ids only where
        // they land in the partition that applied the original).
        let unchecked = path("off.sqlite")
        let off = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", unchecked, "--until-idle", "--role", "state"]
                + ["--http", "off", "--group", "off"] + quickGroupArguments,
            environment: environment.merging(["JUMP_PLACEMENT_PARTITIONER": "off"]) { $1 })
        #expect(off.status == 0, "\(off.stderr)")
        #expect(try await moves(in: unchecked) == 0)

        let shown = try await consumer(
            ["config", "show"], environment: environment.merging(["JUMP_PLACEMENT_CHECK_FROM": checkFrom]) { $1 })
        #expect(shown.stdout.contains("placement.checkFrom = \(checkFrom)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("placement.partitioner = murmur2_random"))
        let bad = try await consumer(
            ["config", "show"], environment: environment.merging(["JUMP_PLACEMENT_CHECK_FROM": "0:12"]) { $1 })
        #expect(bad.status == 78 && bad.stderr.contains("JUMP_PLACEMENT_CHECK_FROM"), "\(bad.stderr)")
        let missing = try await consumer(["placement", "cutover", "-b", broker.bootstrapServers, "-t", "jump.nope"])
        #expect(missing.status == 78 && missing.stderr.contains("jump.nope"), "\(missing.stderr)")
    }

    @Test("killed while moving events, restarted each time: every event applied once, in its partition")
    func killedWhileMoving() async throws {
        let misplaced = try await publishWithKcat(count: 1_500, seed: 8)
        let state = path("killed.sqlite")
        let arguments =
            ["run", "-b", broker.bootstrapServers, "--state", state, "--role", "state", "--http", "off"]
            + ["--batch-size", "20", "--pause-ms", "200"] + quickGroupArguments
        // Each worker is killed at a random moment after it applied something new; once everything is applied
        // (a loaded machine polls slowly) there is nothing left to kill it in the middle of, and the loop ends.
        // 200 ms after each batch of 20: at least 15 s of applying, so the first kill lands mid-stream.
        var last = 0
        var killedMidStream = 0
        for kill in 0..<6 where last < 1_500 {
            let running = try ChildProcess(product("jump-consumer"), arguments)
            do {
                try await eventually("the worker makes progress", timeout: .seconds(60)) {
                    let applied = await eventsApplied(state: state)
                    if applied > last {
                        last = applied
                        return true
                    }
                    return false
                }
            } catch {
                let summary = try await consumer(["state", "summary", "--state", state])
                let log = String(running.output.suffix(4_000))
                Issue.record(
                    Comment(
                        rawValue: "after \(kill) kills, \(last) applied; summary: \(summary.stdout)\(summary.stderr); "
                            + "the worker's log ends: \(log)"))
                running.signal(SIGKILL)
                throw error
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...300)))
            running.signal(SIGKILL)
            _ = try await running.exitStatus()
            if await eventsApplied(state: state) < 1_500 { killedMidStream += 1 }
        }
        #expect(killedMidStream > 0, "at least one worker was killed before the input was applied")
        let finish = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "state", "--http",
                "off",
            ]
                + quickGroupArguments)
        #expect(finish.status == 0, "\(finish.stderr)")
        let summary = try json(try await consumer(["state", "summary", "--json", "--state", state]).stdout)
        #expect(summary["eventsApplied"] as? Int == 1_500, "\(summary)")
        #expect(try await moves(in: state) == misplaced)
        // A copy written again after a kill is a duplicate in its partition, nothing more.
        let log = try await runCommand(
            "kcat",
            ["-C", "-b", broker.bootstrapServers, "-t", "jump.events", "-o", "beginning", "-e", "-q", "-f", "%h\n"])
        let copies = log.stdout.split(separator: "\n").filter { $0.contains("jump.rerouted.from=") }.count
        #expect(copies >= misplaced && summary["duplicatesSkipped"] as? Int == copies - misplaced, "\(copies) copies")
    }

    @Test("an event moved once and still misplaced is dead-lettered, not moved again; dlq redeliver places it")
    func movedOnceOnly() async throws {
        let line =
            #"{"specversion":"1.0","id":"forged-1","source":"t","type":"jump.jobs.reported","subject":"jobs.mexico-utah-trade","time":"2025-01-01T00:00:00Z","data":{"scope":"mexico-utah-trade","period":{"year":2024},"jobsSupported":966434,"source":"press release"}}"#
        let subject = "jobs.mexico-utah-trade"
        let places = try await placements([subject])
        let wrong = ((places[subject]?.murmur2 ?? 0) + 1) % 6
        let sent = try await runCommand(
            "kcat",
            [
                "-P", "-b", broker.bootstrapServers, "-t", "jump.events", "-p", String(wrong), "-k", subject, "-H",
                "jump.rerouted.from=jump.events/0@99",
            ], input: line + "\n")
        #expect(sent.status == 0, "\(sent.stderr)")
        let state = path("forged.sqlite")
        try await fold("jump.events", into: state, group: "forged")
        let first = try json(try await consumer(["state", "summary", "--json", "--state", state]).stdout)
        #expect(first["eventsApplied"] as? Int == 0 && first["deadLettered"] as? Int == 1, "\(first)")
        let letters = try await consumer(["dlq", "list", "--json", "-b", broker.bootstrapServers])
        #expect(letters.stdout.contains(#""error":"misplaced""#), "\(letters.stdout)")
        let redelivered = try await consumer(["dlq", "redeliver", "--all", "-b", broker.bootstrapServers])
        #expect(redelivered.status == 0, "\(redelivered.stderr)")
        try await fold("jump.events", into: state, group: "forged")
        let second = try json(try await consumer(["state", "summary", "--json", "--state", state]).stdout)
        // Redelivered without the header and keyed by its subject: murmur2 puts it in place, nothing moves.
        #expect(second["eventsApplied"] as? Int == 1 && second["deadLettered"] as? Int == 1, "\(second)")
        #expect(try await moves(in: state) == 0)
    }
}
