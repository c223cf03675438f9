import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The console's pages, rendered from the daemon's own state: its workers' status, its activity, the store (read
/// on a reader connection, never under the write lock), the dead-letter index and the notifier's digests.
package struct ConsolePages: Sendable {
    /// The process the console shows.
    let source: any ConsoleSource
    /// Why the process is not ready (empty: ready).
    let readiness: @Sendable () -> [String]
    /// `MAJOR.MINOR.PATCH`.
    let version: String
    /// When the process started (milliseconds since 1970).
    let startedAtMs: Int64
    /// The store's path, as shown.
    let storePath: String
    /// The CSRF token every form carries (``ConsoleAccess/csrf``).
    let csrf: String
    /// The lag above which `/readyz` says not ready (`readiness.maxLag`).
    let maxLag: Int64
    /// The pages' templates, parsed at start.
    let templates: ConsoleTemplates
    /// Dead letters per page.
    static let pageSize = 50

    /// The pages of `source`; forms carry `csrf`.
    /// - Throws: when a built-in template does not parse (a defect of the build, named by the parser).
    package init(
        source: any ConsoleSource, readiness: @escaping @Sendable () -> [String], version: String, storePath: String,
        csrf: String, maxLag: Int64
    ) throws {
        templates = try ConsoleTemplates()
        self.source = source
        self.csrf = csrf
        self.maxLag = maxLag
        self.readiness = readiness
        self.version = version
        self.storePath = storePath
        startedAtMs = Self.nowMs()
    }

    /// A page: its title, where it sits in the navigation, and its body's HTML.
    struct Page {
        var title: String
        var path: String
        var body: String
        var refreshSeconds: Int?
    }

    // MARK: - Overview

    func overview(recentActions: [ConsoleAudit.Record] = []) -> Page {
        let now = Self.nowMs()
        let reasons = readiness().map(Self.shown)
        var context: [String: Any] = [
            "readiness": reasons.isEmpty ? "Ready" : "Not ready", "readinessClass": reasons.isEmpty ? "ok" : "failing",
            "reasons": reasons, "hasReasons": !reasons.isEmpty, "roles": roles, "version": version,
            "uptime": Self.duration(now - startedAtMs), "store": Self.shown(storePath),
        ]
        let minutes = source.activity?.lastHour(now: now)
        if let minutes {
            context["chart"] = ActivityChart.svg(minutes)
            context["hour"] = [
                "applied": minutes.reduce(0) { $0 + $1.applied },
                "duplicates": minutes.reduce(0) { $0 + $1.duplicates },
                "deadLettered": minutes.reduce(0) { $0 + $1.deadLettered },
                "anomalies": minutes.reduce(0) { $0 + $1.anomalies },
            ]
        }
        // The last complete minute's pace of the state worker, for an estimate of the time to catch up.
        let perMinute = minutes.map { $0.dropLast().last?.applied ?? 0 }
        context["workers"] = source.status().map { status -> [String: Any] in
            let lag = Self.lagLine(
                lag: status.assigned.isEmpty ? nil : status.lag, maxLag: maxLag,
                eventsPerMinute: status.role == "state" ? perMinute : nil)
            return [
                "lagLine": lag.text, "lagClass": lag.level,
                "role": status.role, "group": status.group ?? "-", "problem": status.problem.map(Self.shown) ?? false,
                "lastBatch": status.lastBatchAtMs.map { "last batch \(Self.duration(now - $0)) ago" }
                    ?? (status.role == "state" ? "no batch yet" : "consuming notification items"),
                "lastPoll": status.sinceLastPollMs.map { "\(Self.duration($0)) ago" } ?? "not yet",
                "rebalances": Self.rebalanceLine(status, now: now),
                "hasPartitions": !status.partitions.isEmpty,
                "partitions": status.partitions.map { position -> [String: Any] in
                    [
                        "partition": position.partition, "next": position.next.map(String.init) ?? "start",
                        "high": position.highWatermark.map(String.init) ?? "?",
                        "lag": position.lag.map(String.init) ?? "?",
                        // The readiness limit is on the sum (the line above): a partition is only marked behind.
                        "lagClass": (position.lag ?? 0) > 0 ? "behind" : "",
                    ]
                },
            ]
        }
        context["hasActions"] = !recentActions.isEmpty
        context["actions"] = recentActions.map { record -> [String: Any] in
            [
                "when": Self.time(record.atMs), "operator": Self.shown(record.operator),
                "client": Self.shown(record.client), "action": Self.shown(record.action),
                "target": Self.shown(record.target),
                "outcome": Self.shown(record.outcome) + (record.times > 1 ? " (\(record.times) times)" : ""),
            ]
        }
        return Page(
            title: "Overview", path: "/console", body: templates.overview.render(context), refreshSeconds: 10)
    }

    /// The worker's group membership in words: `3 assignments by the group; the last wait without partitions took
    /// 3 s and ended 2 min 4 s ago` (a rebalance's cost, as the worker saw it).
    static func rebalanceLine(_ status: WorkerStatus, now: Int64) -> String {
        let count = Wording.counted(Int64(status.rebalances ?? 0), "assignment", "assignments") + " by the group"
        guard let waited = status.lastAssignmentWaitMs, let ended = status.lastAssignedAtMs else {
            return count + "; no partition held yet"
        }
        return count
            + "; the last wait without partitions took \(duration(waited)) and ended \(duration(now - ended)) ago"
    }

    /// How far behind a worker is (its partitions' lags summed, as `/readyz` sums them), in words, and how it is
    /// marked: `ok` caught up, `behind` within the readiness limit, `failing` above it (where `/readyz` says not
    /// ready); with the worker's pace, the time to catch up. `nil`: no partition assigned, or not known yet.
    static func lagLine(lag: Int64?, maxLag: Int64, eventsPerMinute: Int?) -> (text: String, level: String) {
        guard let lag else { return ("Lag not known: no partition assigned yet, or none measured.", "muted") }
        guard lag > 0 else { return ("Caught up: no message waiting.", "ok") }
        let behind = "Behind by \(Wording.counted(lag, "message", "messages"))"
        var estimate = ""
        if let eventsPerMinute, eventsPerMinute > 0 {
            let seconds = max(1, lag * 60 / Int64(eventsPerMinute))
            estimate =
                "; at \(Wording.counted(Int64(eventsPerMinute), "event", "events")) a minute, about "
                + "\(duration(seconds * 1000)) to catch up"
        }
        if lag > maxLag {
            return (
                "\(behind): above the readiness limit of \(Wording.counted(maxLag, "message", "messages")), so "
                    + "/readyz says not ready\(estimate).", "failing"
            )
        }
        return (
            "\(behind), within the readiness limit of \(Wording.counted(maxLag, "message", "messages"))\(estimate).",
            "behind"
        )
    }

    // MARK: - Dead letters

    /// A page of dead letters, newest first; with `error`, those of one kind. Above them, every kind with its
    /// count, each a link to its own list.
    func deadLetters(page number: Int, error: String?) async throws -> Page {
        try await source.deadLetterIndex.refresh()
        let index = source.deadLetterIndex
        let kinds = await index.kinds()
        let kind = error.flatMap { wanted in kinds.first { $0.error == wanted }?.error }
        let (letters, total) = await index.page(number, size: Self.pageSize, error: kind)
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let filter = kind.map { "&error=" + Self.queryValue($0) } ?? ""
        let context: [String: Any] = [
            "csrf": csrf, "total": Wording.counted(Int64(total), "dead letter", "dead letters"),
            "topic": source.deadLetters.topic, "pageNumber": number + 1, "pageCount": pageCount,
            "hasLetters": !letters.isEmpty, "kind": kind ?? false, "hasKinds": kinds.count > 1 || kind != nil,
            "unknownKind": error != nil && kind == nil ? Self.shown(error ?? "") : false,
            "kinds": kinds.count > 1 || kind != nil
                ? kinds.map { entry -> [String: Any] in
                    [
                        "error": entry.error, "href": "/console/dead-letters?error=" + Self.queryValue(entry.error),
                        "count": Wording.counted(Int64(entry.count), "letter", "letters"),
                        "open": entry.open, "current": entry.error == kind,
                    ]
                } : [],
            "letters": letters.map { letter -> [String: Any] in
                [
                    "place": letter.place, "href": "/console/dead-letters/" + letter.place, "origin": letter.origin,
                    "error": letter.error, "detail": letter.detail, "preview": letter.preview,
                    "size": Wording.counted(Int64(letter.size), "byte", "bytes"), "status": Self.status(letter),
                    "open": letter.redeliveredTo == nil && letter.settled == nil,
                    "times": letter.times > 1 ? "\(letter.times)" : false,
                    "when": letter.timestampMs.map(Self.time) ?? "unknown",
                ]
            },
            "newer": number > 0 ? "\(number - 1)\(filter)" : false,
            "older": number + 1 < pageCount ? "\(number + 1)\(filter)" : false,
        ]
        return Page(
            title: "Dead letters", path: "/console/dead-letters", body: templates.deadLetters.render(context))
    }

    /// What became of a dead letter: `Redelivered to …`, `Settled by … : note`, or `Open`.
    static func status(_ entry: DeadLetterIndex.Entry) -> String {
        if let settled = entry.settled {
            return "Settled by \(shown(settled.by))" + (settled.note.isEmpty ? "" : ": \(shown(settled.note))")
        }
        if let to = entry.redeliveredTo { return "Redelivered to \(shown(to))" }
        return "Open"
    }

    /// One dead letter, whole: where it is and where it came from (which number to quote), when, why, its key,
    /// every header (a binary-mode event's `ce_` attributes among them) and its payload (JSON indented); what
    /// became of it, and its actions.
    func deadLetter(place: String) async throws -> Page {
        try await source.deadLetterIndex.refresh()
        let topic = source.deadLetters.topic
        guard let entry = await source.deadLetterIndex.entry(at: place),
            let letter = try await source.deadLetters.letter(at: place)
        else {
            return Page(
                title: "Dead letter", path: "/console/dead-letters",
                body: templates.deadLetter.render([
                    "missing":
                        "No dead letter at \(Self.shown(place)) in \(topic): a place is PARTITION@OFFSET, as the list shows it."
                ]))
        }
        let message = letter.message
        let payload: String
        if letter.isBounded {
            payload = "(the payload stays in \(letter.origin): the dead-letter topic refused its size)"
        } else if let value = message.value, let json = try? JSONParser().parse(value) {
            payload = Self.shown(JSONWriter.indented(json), keepingLines: true)
        } else {
            payload = Self.shown(String(decoding: message.value ?? [], as: UTF8.self), keepingLines: true)
        }
        let context: [String: Any] = [
            "place": letter.place, "topic": topic, "origin": Self.shown(letter.origin), "csrf": csrf,
            "when": message.timestampMilliseconds.map(Self.time) ?? "unknown", "error": Self.shown(letter.error),
            "detail": Self.shown(letter.detail), "key": message.keyText.map(Self.shown) ?? "(none)",
            "size": Wording.counted(Int64(message.value?.count ?? 0), "byte", "bytes"),
            "times": entry.times > 1 ? "\(entry.times) times (also at \(entry.copies.joined(separator: ", ")))" : false,
            "status": Self.status(entry), "open": entry.redeliveredTo == nil && entry.settled == nil,
            "headers": message.headers.map { header -> [String: String] in
                [
                    "name": Self.shown(header.name),
                    "value": header.value.map { Self.shown(String(decoding: $0, as: UTF8.self)) } ?? "(null)",
                ]
            },
            "payload": payload, "noteLimit": ConsoleAction.noteLimit,
        ]
        return Page(
            title: "Dead letter \(letter.place)", path: "/console/dead-letters",
            body: templates.deadLetter.render(context))
    }

    /// Settles one dead letter the way `dlq settle` does, and says what happened.
    func settle(place: String, note: String, by: String) async throws -> (notice: String?, failure: String?) {
        guard let letter = try await source.deadLetters.letter(at: place) else {
            return (nil, "\(Self.shown(place)): no such dead letter in \(source.deadLetters.topic)")
        }
        try await source.deadLetterIndex.refresh()
        if let earlier = await source.deadLetterIndex.entry(at: place)?.settled {
            return ("\(letter.place) was already settled by \(Self.shown(earlier.by)); left as it is", nil)
        }
        _ = try await source.deadLetters.settle(letter, by: by, note: note)
        return ("Settled \(letter.place)" + (note.isEmpty ? "" : ": \(Self.shown(note))"), nil)
    }

    /// Redelivers one dead letter (`place`) or every one not redelivered yet, the way `dlq redeliver` does, and
    /// says what happened.
    func redeliver(place: String?) async throws -> (notice: String?, failure: String?) {
        let chosen: [DeadLetter]
        if let place {
            guard let letter = try await source.deadLetters.letter(at: place) else {
                return (nil, "\(Self.shown(place)): no such dead letter in \(source.deadLetters.topic)")
            }
            chosen = [letter]
        } else {
            chosen = try await source.deadLetters.readAll().filter(\.isOpen)
        }
        let results = try await source.deadLetters.redeliver(chosen)
        var sent: [String] = []
        var refused: [String] = []
        for (letter, result) in zip(chosen, results) {
            switch result {
            case .success(let report): sent.append("\(letter.place) → \(report.topicPartition)@\(report.offset)")
            case .failure(let error): refused.append("\(letter.place): \(Self.shown("\(error)"))")
            }
        }
        let notice =
            sent.isEmpty && refused.isEmpty
            ? "Nothing to redeliver." : sent.isEmpty ? nil : "Redelivered \(sent.joined(separator: "; "))"
        return (notice, refused.isEmpty ? nil : "Refused: \(refused.joined(separator: "; "))")
    }

    // MARK: - Confirmation

    /// The page that asks whether to take `action`, whose button posts it again with `confirm=yes`.
    func confirmation(_ action: ConsoleAction, by: String) async throws -> Page {
        let question: String
        let detail: String
        let button: String
        switch action {
        case .redeliver(let place?):
            let origin = try await source.deadLetters.letter(at: place)?.origin
            question = "Redeliver dead letter \(Self.shown(place))?"
            detail =
                "It goes back to \(origin.map(Self.shown) ?? "the topic it came from"), where the state worker reads "
                + "it again; an event it already applied is not applied twice."
            button = "Yes, redeliver \(Self.shown(place))"
        case .redeliver(nil):
            let waiting = try await source.deadLetters.readAll().filter(\.isOpen).count
            question = "Redeliver every dead letter not redelivered or settled yet?"
            detail =
                "\(Wording.counted(Int64(waiting), "dead letter goes", "dead letters go")) back to where "
                + "\(waiting == 1 ? "it" : "they") came from; an event already applied is not applied twice."
            button = "Yes, redeliver \(Wording.counted(Int64(waiting), "dead letter", "dead letters"))"
        case .settle(let place, let note):
            question = "Settle dead letter \(Self.shown(place)) without redelivering it?"
            detail =
                "It stays in the dead-letter topic, marked settled by \(Self.shown(by))"
                + (note.isEmpty ? " (no note)" : ": “\(Self.shown(note))”")
                + "; every listing shows it settled and “Redeliver every open one” leaves it out."
            button = "Yes, settle \(Self.shown(place))"
        case .resend(let digest):
            let stored = try await source.store.notifier.digest(id: digest)
            // Only deliveries that are over (delivered, or failed for good) go again; one under way is left alone.
            let recipients =
                stored?.deliveries.filter { $0.sink == "email" && ["delivered", "failed"].contains($0.status) }
                .map(\.recipient) ?? []
            question = "Send digest \(Self.shown(digest)) again by mail?"
            detail =
                source.digestService == nil
                ? "This process runs --role \(source.role.rawValue): it sends no digests; nothing would be sent."
                : stored == nil
                    ? "There is no such digest in this process's store: nothing would be sent."
                    : recipients.isEmpty
                        ? "It has no finished mail delivery (no e-mail sink, or one still under way): nothing would be sent."
                        : "It goes again to \(recipients.map(Self.shown).joined(separator: ", ")), each with a Message-ID of its own; the files and the digests topic keep the copy they have."
            button = "Yes, send \(Self.shown(digest)) again"
        case .sendNow(let audience):
            let name = source.digestService?.configuration.audiences.first { $0.id == audience }?.name ?? audience
            question = "Send the digest for \(Self.shown(name)) now?"
            detail = "Its open window closes now and its digest is delivered to its sinks; the next window starts now."
            button = "Yes, send now: \(Self.shown(name))"
        }
        let context: [String: Any] = [
            "question": question, "detail": detail, "button": button, "action": action.path,
            "back": action.returnPath, "csrf": csrf,
            "fields": action.fields.map { ["name": $0.name, "value": $0.value] },
        ]
        return Page(title: "Confirm", path: action.returnPath, body: templates.confirm.render(context))
    }

    // MARK: - Digests

    func digests() async throws -> Page {
        var context: [String: Any] = ["role": source.role.rawValue, "csrf": csrf]
        if let service = source.digestService {
            let audiences = service.configuration.audiences
            context["notifier"] = true
            let now = Self.nowMs()
            context["audiences"] = audiences.map { audience -> [String: Any] in
                let closes = WindowClock(
                    schedule: audience.schedule, timeZone: TimeZone(identifier: audience.timeZone) ?? .gmt
                ).boundary(after: now)
                return [
                    "id": audience.id, "name": Self.shown(audience.name),
                    "preview": "/console/digest-preview?audience=" + Self.queryValue(audience.id),
                    "schedule": audience.schedule.describe(timeZone: audience.timeZone),
                    "next":
                        "\(Timestamp.local(closes, timeZone: audience.timeZone)), in \(Self.duration(closes - now))",
                ]
            }
            context["digests"] = try await source.store.notifier.digests(limit: 30).map {
                stored, deliveries -> [String: Any] in
                let digest = try? DigestCoding.decode(stored.json)
                return [
                    "id": stored.id, "audienceName": Self.shown(digest?.audienceName ?? stored.audience),
                    "window": digest.map { "\($0.window.localStart) – \($0.window.localEnd)" }
                        ?? "\(Timestamp.utc(stored.windowStart)) – \(Timestamp.utc(stored.windowEnd))",
                    "items": Wording.counted(Int64(stored.itemCount), "item", "items"),
                    "href": "/console/digest?id=" + Self.queryValue(stored.id), "csrf": csrf,
                    "mailed": deliveries.contains { $0.sink == "email" },
                    "builtAt": Timestamp.utc(stored.builtAt),
                    "deliveries": deliveries.map { delivery -> [String: Any] in
                        [
                            "sink": delivery.sink, "recipient": Self.shown(delivery.recipient),
                            "status": delivery.status,
                            "attempts": delivery.attempts, "deliveredAt": delivery.deliveredAt.map(Timestamp.utc) ?? "",
                            "lastError": delivery.lastError.map(Self.shown) ?? "",
                        ]
                    },
                    "texts": (digest?.languages ?? []).enumerated().compactMap { index, language -> [String: Any]? in
                        guard let text = digest?.text[language.rawValue] else { return nil }
                        return [
                            "language": language.rawValue, "text": Self.shown(text, keepingLines: true),
                            "open": index == 0,
                        ]
                    },
                ]
            }
        }
        return Page(title: "Digests", path: "/console/digests", body: templates.digests.render(context))
    }

    /// One digest with every item it reports (the text shows the 25 most important): each item's importance,
    /// headline in the audience's languages, type, date, event id and the event's place in the log.
    func digest(id: String) async throws -> Page {
        guard let (stored, _) = try await source.store.notifier.digest(id: id),
            let digest = try? DigestCoding.decode(stored.json)
        else {
            return Page(
                title: "Digest", path: "/console/digests",
                body: templates.digest.render([
                    "missing": "No digest \(Self.shown(id)) in this process's store: the Digests page lists the latest."
                ]))
        }
        return Page(title: "Digest", path: "/console/digests", body: templates.digest.render(context(of: digest)))
    }

    /// What the open window of `audience` would send now, without closing it: the same page as a digest's, with
    /// its text in each language.
    func preview(audience id: String) async throws -> Page {
        guard let service = source.digestService,
            let audience = service.configuration.audiences.first(where: { $0.id == id })
        else {
            return Page(
                title: "Preview", path: "/console/digests",
                body: templates.digest.render([
                    "missing": "No audience \(Self.shown(id)) in this process's digest configuration."
                ]))
        }
        guard let digest = try await service.windows.preview(audience),
            !digest.items.isEmpty || audience.reportEmptyWindows
        else {
            return Page(
                title: "Preview", path: "/console/digests",
                body: templates.digest.render([
                    "missing":
                        "Nothing would be sent to \(Self.shown(audience.name)) now: its open window has no item, and it is not sent empty digests."
                ]))
        }
        var context = context(of: digest)
        context["preview"] = true
        context["texts"] = digest.languages.enumerated().compactMap { index, language -> [String: Any]? in
            digest.text[language.rawValue].map {
                ["language": language.rawValue, "text": Self.shown($0, keepingLines: true), "open": index == 0]
            }
        }
        return Page(title: "Preview", path: "/console/digests", body: templates.digest.render(context))
    }

    /// A digest as its page shows it.
    private func context(of digest: Digest) -> [String: Any] {
        [
            "audienceName": Self.shown(digest.audienceName), "id": Self.shown(digest.id),
            "window": "\(digest.window.localStart) – \(digest.window.localEnd)",
            "items": Wording.counted(Int64(digest.items.count), "item", "items"),
            "omitted": digest.itemsOmitted.map { "\($0)" } ?? false,
            "rows": digest.items.map { item -> [String: Any] in
                [
                    "importance": item.importance, "type": Self.shown(item.type),
                    "happenedOn": item.happenedOn ?? "", "eventId": Self.shown(item.eventId),
                    "origin": "\(Self.shown(item.origin.topic))[\(item.origin.partition)]@\(item.origin.offset)",
                    "derived": item.derived == true,
                    "headlines": digest.languages.compactMap { language -> [String: Any]? in
                        item.headline[language.rawValue].map {
                            ["language": language.rawValue, "text": Self.shown($0)]
                        }
                    },
                ]
            },
        ]
    }

    /// Sends a past digest again by mail (``NotifierStore/resendByMail(digestID:)``); the running notifier
    /// delivers it within a second or so.
    func resend(digest id: String) async throws -> (notice: String?, failure: String?) {
        guard source.digestService != nil else {
            return (nil, "This process runs --role \(source.role.rawValue): it sends no digests.")
        }
        guard try await source.store.notifier.digest(id: id) != nil else {
            return (nil, "\(Self.shown(id)): no such digest")
        }
        let queued = try await source.store.notifier.resendByMail(digestID: id)
        guard queued > 0 else {
            return (
                nil, "\(Self.shown(id)) has no mail delivery to send again (no e-mail sink, or one still under way)."
            )
        }
        return (
            "\(Self.shown(id)) goes again by mail to \(Wording.counted(Int64(queued), "recipient", "recipients")).", nil
        )
    }

    /// Closes `audience`'s open window now and delivers, as `digest send-now` does.
    func sendNow(audience: String) async throws -> (notice: String?, failure: String?) {
        guard let service = source.digestService else {
            return (nil, "This process runs --role \(source.role.rawValue): it sends no digests.")
        }
        guard service.configuration.audiences.contains(where: { $0.id == audience }) else {
            return (nil, "\(Self.shown(audience)): no such audience")
        }
        let built = try await service.sendNow(audience: audience)
        let mine = built.filter { $0.audience == audience }
        guard let digest = mine.last else { return ("Nothing to send for \(audience): its window is empty.", nil) }
        return ("Sent \(digest.id) (\(Wording.counted(Int64(digest.itemCount), "item", "items"))).", nil)
    }

    // MARK: - State

    func state(query: String?) async throws -> Page {
        let store = source.store
        let figures = SummaryFigures(try await store.summary())
        let summary = figures.summary
        // Control and bidirectional characters cannot be part of a name worth finding: they are dropped, so the
        // search box never holds them (and a resubmitted search is the same search).
        let search = query.map {
            String(String.UnicodeScalarView($0.unicodeScalars.filter { !TerminalText.isUnsafe($0) }))
        }
        .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let companies = try await store.companies(matching: search, limit: 100)
        let anomalies = try await store.anomalies(limit: 10)
        let context: [String: Any] = [
            "applied": summary.eventsApplied, "duplicates": summary.duplicatesSkipped,
            "deadLettered": summary.deadLettered, "anomalyCount": summary.anomalies, "meetings": summary.meetings,
            "partitions": summary.partitions.count,
            "expansions": figures.expansions.map { expansion -> [String: Any] in
                [
                    "direction": expansion.direction, "status": expansion.status, "count": expansion.count,
                    "plannedJobs": expansion.plannedJobs, "plannedDollars": expansion.plannedDollars,
                    "actualJobs": expansion.actualJobs, "actualDollars": expansion.actualDollars,
                ]
            },
            "investments": figures.investments.map { investment -> [String: Any] in
                ["direction": investment.direction, "count": investment.count, "dollars": investment.dollars]
            },
            "query": search ?? "",
            "companiesNote": search.map {
                "Companies whose id or name contains “\(Self.shown($0))”: \(companies.count)"
            }
                ?? "The first \(companies.count) companies by id.",
            "companies": companies.map { company -> [String: Any] in
                [
                    "id": Self.shown(company.id), "href": Self.companyPath(company.id),
                    "name": Self.shown(company.name), "country": company.country,
                    "sector": Self.shown(company.sector), "expansions": company.expansions,
                    "investments": company.investments,
                ]
            },
            "anomalies": anomalies.map(Self.anomalyRow),
            "moreAnomalies": summary.anomalies > anomalies.count ? "\(summary.anomalies)" : false,
            "exports": summary.exports.map { figure -> [String: Any] in
                [
                    "series": Self.shown(figure.series), "period": figure.period,
                    "value": SummaryFigures.dollars(figure.value),
                    "revisions": figure.revisions > 0 ? "\(figure.revisions)" : "",
                ]
            },
            "jobs": summary.jobs.map { figure -> [String: Any] in
                [
                    "series": Self.shown(figure.series), "period": figure.period,
                    "value": Wording.counted(figure.value, "job", "jobs"),
                    "revisions": figure.revisions > 0 ? "\(figure.revisions)" : "",
                ]
            },
            "initiatives": summary.initiativesByStatus.sorted { $0.key < $1.key }.map {
                ["status": Self.shown($0.key), "count": $0.value]
            },
            "hasExports": !summary.exports.isEmpty, "hasJobs": !summary.jobs.isEmpty,
            "hasInitiatives": !summary.initiativesByStatus.isEmpty,
        ]
        return Page(title: "State", path: "/console/state", body: templates.state.render(context))
    }

    /// An anomaly as a table row shows it.
    static func anomalyRow(_ anomaly: RecordedAnomaly) -> [String: Any] {
        [
            "place": "\(anomaly.partition)@\(anomaly.offset)", "eventId": shown(anomaly.eventId),
            "kind": shown(anomaly.kind), "detail": shown(anomaly.detail),
        ]
    }

    /// Anomalies, 50 a page in the order of the log, of one kind if asked, with every kind's count as a link.
    func anomalies(kind wanted: String?, page number: Int) async throws -> Page {
        let store = source.store
        let kinds = try await store.anomalyKinds()
        let kind = wanted.flatMap { wanted in kinds.first { $0.kind == wanted }?.kind }
        let total =
            kind.map { kind in kinds.first { $0.kind == kind }?.count ?? 0 } ?? kinds.reduce(0) { $0 + $1.count }
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let shownPage = min(number, pageCount - 1)
        let rows = try await store.anomalies(kind: kind, limit: Self.pageSize, skipping: shownPage * Self.pageSize)
        let filter = kind.map { "&kind=" + Self.queryValue($0) } ?? ""
        let context: [String: Any] = [
            "total": Wording.counted(Int64(total), "anomaly", "anomalies"), "kind": kind.map(Self.shown) ?? false,
            "unknownKind": wanted != nil && kind == nil ? Self.shown(wanted ?? "") : false,
            "pageNumber": shownPage + 1, "pageCount": pageCount, "hasKinds": !kinds.isEmpty,
            "kinds": kinds.map { entry -> [String: Any] in
                [
                    "kind": Self.shown(entry.kind), "count": entry.count, "current": entry.kind == kind,
                    "href": "/console/anomalies?kind=" + Self.queryValue(entry.kind),
                ]
            },
            "anomalies": rows.map(Self.anomalyRow), "hasAnomalies": !rows.isEmpty,
            "earlier": shownPage > 0 ? "\(shownPage - 1)\(filter)" : false,
            "later": shownPage + 1 < pageCount ? "\(shownPage + 1)\(filter)" : false,
        ]
        return Page(title: "Anomalies", path: "/console/anomalies", body: templates.anomalies.render(context))
    }

    /// One company: what the store knows of it (its first row's name, country and sector), its expansions with
    /// their figures and dates, its investments, and the anomalies that name it or one of its expansions.
    func company(id: String) async throws -> Page {
        let store = source.store
        guard let report = try await store.company(id) else {
            return Page(
                title: "Company", path: "/console/state",
                body: templates.company.render([
                    "missing": "No company \(Self.shown(id)) in the store: search the State page by name or id."
                ]))
        }
        func dollars(_ cents: Int64?) -> String { cents.map(SummaryFigures.dollars) ?? "investment not disclosed" }
        func jobs(_ number: Int64?) -> String {
            number.map { Wording.counted($0, "job", "jobs") } ?? "jobs not disclosed"
        }
        let anomalies = try await store.anomalies(naming: [report.id] + report.expansions.map(\.id))
        let context: [String: Any] = [
            "id": Self.shown(report.id), "name": report.name.map(Self.shown) ?? "(not named by an announcement)",
            "country": report.country ?? "?", "sector": report.sector.map(Self.shown) ?? "?",
            "hasExpansions": !report.expansions.isEmpty,
            "expansions": report.expansions.map { expansion -> [String: Any] in
                let place = [expansion.city, expansion.region].compactMap { $0 }.map(Self.shown)
                let dates = [
                    expansion.announcedOn.map { "announced \($0)" }, expansion.openedOn.map { "opened \($0)" },
                    expansion.withdrawalReason.map { "withdrawn (\($0))" },
                ].compactMap { $0 }
                return [
                    "id": Self.shown(expansion.id), "status": expansion.status,
                    "direction": expansion.direction ?? "?",
                    "place": place.isEmpty ? "?" : place.joined(separator: ", "),
                    "planned": "\(jobs(expansion.plannedJobs)), \(dollars(expansion.plannedInvestmentUsdCents))",
                    "actual": expansion.status == "completed"
                        ? "\(jobs(expansion.actualJobs)), \(dollars(expansion.actualInvestmentUsdCents))" : "–",
                    "dates": dates.joined(separator: "; "),
                ]
            },
            "hasInvestments": !report.investments.isEmpty,
            "investments": report.investments.map { investment -> [String: Any] in
                [
                    "id": Self.shown(investment.id), "direction": investment.direction,
                    "amount": SummaryFigures.dollars(investment.amountUsdCents),
                    "region": Self.shown(investment.region),
                    "announcedOn": investment.announcedOn,
                ]
            },
            "hasAnomalies": !anomalies.isEmpty,
            "anomalies": anomalies.map { anomaly -> [String: Any] in
                [
                    "place": "\(anomaly.partition)@\(anomaly.offset)", "eventId": Self.shown(anomaly.eventId),
                    "kind": anomaly.kind, "detail": Self.shown(anomaly.detail),
                ]
            },
        ]
        return Page(
            title: report.name.map(Self.shown) ?? Self.shown(report.id), path: "/console/state",
            body: templates.company.render(context))
    }

    /// The company page's address for `id`.
    static func companyPath(_ id: String) -> String { "/console/company?id=" + queryValue(id) }

    /// The sign-in form, which returns to `next` (a console path) once signed in.
    func signIn(next: String) -> Page {
        Page(title: "Sign in", path: "/console/sign-in", body: templates.signIn.render(["next": next]))
    }

    // MARK: - The frame

    /// `page` in the layout, with a notice or a failure above it.
    /// The page in the layout; `signedIn` names the operator of a signed-in browser, who gets a Sign out button.
    func html(
        _ page: Page, notice: String? = nil, failure: String? = nil, navigation: Bool = true, signedIn: String? = nil
    ) -> String {
        let links = [
            ("/console", "Overview"), ("/console/dead-letters", "Dead letters"), ("/console/digests", "Digests"),
            ("/console/state", "State"), ("/console/anomalies", "Anomalies"),
        ]
        let context: [String: Any] = [
            "title": page.title, "roles": roles, "version": version, "body": page.body,
            "refreshSeconds": page.refreshSeconds ?? false, "notice": notice ?? false, "failure": failure ?? false,
            "operator": signedIn.map(Self.shown) ?? false, "csrf": csrf,
            "nav": navigation
                ? links.map { ["href": $0.0, "label": $0.1, "current": $0.0 == page.path] } : [[String: Any]](),
        ]
        return templates.layout.render(context)
    }

    private var roles: String {
        switch source.role {
        case .all: "state + notifier"
        case .state: "state"
        case .notifier: "notifier"
        }
    }

    /// Text from outside (events, keys, errors) as a page shows it: characters that could reorder or forge what a
    /// reader sees (bidirectional overrides, controls) made visible, as ``TerminalText`` does for a terminal.
    /// HTML escaping is Mustache's.
    static func shown(_ text: String) -> String { TerminalText.escaped(text) }

    /// Like ``shown(_:)``, keeping line breaks (a digest's text).
    static func shown(_ text: String, keepingLines: Bool) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { shown(String($0)) }.joined(
            separator: "\n")
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// `2026-12-07 20:10:03 UTC, 4 min 5 s ago`.
    static func time(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let text = date.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt)
                .year().month().day().time(includingFractionalSeconds: false))
        let age = nowMs() - milliseconds
        return "\(text) UTC" + (age >= 0 ? ", \(duration(age)) ago" : "")
    }

    /// A query parameter's value, percent-encoded.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// `3 s`, `4 min 5 s`, `2 h 3 min`, `1 d 2 h`.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3_600: return "\(seconds / 60) min \(seconds % 60) s"
        case ..<86_400: return "\(seconds / 3_600) h \(seconds % 3_600 / 60) min"
        default: return "\(seconds / 86_400) d \(seconds % 86_400 / 3_600) h"
        }
    }
}
