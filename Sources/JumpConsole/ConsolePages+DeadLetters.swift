import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The dead-letter pages and actions: the list by kind, one letter whole, redeliver and settle.
extension ConsolePages {
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
            "kinds": kinds.map { entry -> [String: Any] in
                [
                    "error": entry.error, "href": "/console/dead-letters?error=" + Self.queryValue(entry.error),
                    "count": Wording.counted(Int64(entry.count), "letter", "letters"),
                    "open": entry.open, "current": entry.error == kind,
                ]
            },
            "letters": letters.map { letter -> [String: Any] in
                [
                    "place": letter.place, "href": "/console/dead-letters/" + letter.place, "origin": letter.origin,
                    "error": letter.error, "detail": letter.detail, "preview": letter.preview,
                    "size": Wording.counted(Int64(letter.size), "byte", "bytes"), "status": Self.status(letter),
                    "open": letter.isOpen,
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
            return missing(
                "Dead letter", path: "/console/dead-letters", templates.deadLetter,
                "No dead letter at \(Self.shown(place)) in \(topic): a place is PARTITION@OFFSET, as the list shows it."
            )
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
            "status": Self.status(entry), "open": entry.isOpen,
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
}
