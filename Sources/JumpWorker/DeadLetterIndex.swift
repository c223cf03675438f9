import JumpEvents
import JumpKafka

/// The dead-letter topic as the operator console lists it, page by page: a compact entry per dead letter (its
/// place, origin, reason and a bounded payload preview), kept in memory and brought up to date by reading only
/// what the topic gained since the last ``refresh(timeout:)``. No request reads the whole topic again; the
/// first one reads it once.
package actor DeadLetterIndex {
    /// One dead letter as a page shows it.
    package struct Entry: Sendable, Equatable {
        /// Its place in the dead-letter topic, `PARTITION@OFFSET`.
        package var place: String
        /// Where it came from, `topic[partition]@offset`.
        package var origin: String
        /// The kind of rejection (`jump.error`).
        package var error: String
        /// The reason with its JSON pointer, at most ``detailLimit`` characters.
        package var detail: String
        /// The message key, if any (escaped for display).
        package var key: String?
        /// The first ``previewLimit`` bytes of the payload as text, unsafe characters escaped.
        package var preview: String
        /// The payload's size in bytes.
        package var size: Int
        /// When it was dead-lettered (milliseconds since 1970), if the broker says.
        package var timestampMs: Int64?
        /// Where it was redelivered, `topic[partition]@offset`, or `nil`.
        package var redeliveredTo: String?
        /// Who settled it without redelivering it and why, or `nil`.
        package var settled: DeadLetterSettlement?
        /// Its later copies' places (a rebuild dead-lettered it again).
        package var copies: [String] = []
        /// How many times it was dead-lettered (a rebuild of the state dead-letters it again).
        package var times = 1
        /// Whether it still waits for an operator: neither redelivered nor settled.
        package var isOpen: Bool { redeliveredTo == nil && settled == nil }
    }

    /// The longest preview of a payload, in bytes.
    package static let previewLimit = 240
    /// The longest reason kept, in characters.
    package static let detailLimit = 400

    private let deadLetters: DeadLetters
    private var next: [Int32: Int64] = [:]
    private var entries: [Entry] = []
    private var indexBySameness: [String: Int] = [:]
    private var indexByPlace: [String: Int] = [:]
    private var redelivered: [String: String] = [:]
    private var settled: [String: DeadLetterSettlement] = [:]

    /// An index of the topic `deadLetters` reads.
    package init(deadLetters: DeadLetters) { self.deadLetters = deadLetters }

    /// Reads what the topic gained since the last refresh.
    /// - Throws: ``DeadLetterTopicMissing``, or a ``KafkaError`` when no broker answers in time.
    package func refresh(timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        // A thousand messages at a time: the first refresh of a large topic never holds it all.
        while true {
            let chunk = try await deadLetters.read(from: next, upTo: 1_000, within: deadline - ContinuousClock.now)
            for message in chunk.messages { add(DeadLetter(message: message)) }
            next = chunk.next
            if chunk.atEnd { return }
        }
    }

    /// Page `number` (from 0) of `size` entries, newest first, and how many there are; with `error`, only the
    /// dead letters of that kind.
    package func page(_ number: Int, size: Int, error: String? = nil) -> (entries: [Entry], total: Int) {
        let chosen = error.map { kind in entries.filter { $0.error == kind } } ?? entries
        let newestFirst = chosen.reversed()
        let start = min(max(0, number) * size, chosen.count)
        return (Array(newestFirst.dropFirst(start).prefix(size)), chosen.count)
    }

    /// How many dead letters there are of each kind (`jump.error`), and how many of them wait for an operator
    /// (neither redelivered nor settled), by kind.
    package func kinds() -> [(error: String, count: Int, open: Int)] {
        var counts: [String: (count: Int, open: Int)] = [:]
        for entry in entries {
            counts[entry.error, default: (0, 0)].count += 1
            counts[entry.error, default: (0, 0)].open += entry.isOpen ? 1 : 0
        }
        return counts.map { ($0.key, $0.value.count, $0.value.open) }.sorted { $0.error < $1.error }
    }

    /// The entry of the dead letter at `place` (or one of its copies), as of the last refresh.
    package func entry(at place: String) -> Entry? { indexByPlace[place].map { entries[$0] } }

    private func add(_ letter: DeadLetter) {
        if let of = letter.message.header(DeadLetters.redeliveryOfHeader)?.text {
            let to = letter.message.header(DeadLetters.redeliveredToHeader)?.text ?? "?"
            redelivered[of] = to
            if let index = indexByPlace[of], entries[index].redeliveredTo == nil { entries[index].redeliveredTo = to }
            return
        }
        if let (of, settlement) = DeadLetters.settlement(in: letter.message) {
            settled[of] = settled[of] ?? settlement
            if let index = indexByPlace[of], entries[index].settled == nil { entries[index].settled = settlement }
            return
        }
        let origin = letter.sameness
        if let index = indexBySameness[origin] {
            entries[index].times += 1
            entries[index].copies.append(letter.place)
            indexByPlace[letter.place] = index
            entries[index].redeliveredTo = entries[index].redeliveredTo ?? redelivered[letter.place]
            entries[index].settled = entries[index].settled ?? settled[letter.place]
            return
        }
        let value = letter.message.value ?? []
        let preview =
            letter.isBounded
            ? "(the payload stays in \(letter.origin): the dead-letter topic refused its size)"
            : TerminalText.escaped(String(decoding: value.prefix(Self.previewLimit), as: UTF8.self))
                + (value.count > Self.previewLimit ? " …" : "")
        indexBySameness[origin] = entries.count
        indexByPlace[letter.place] = entries.count
        entries.append(
            Entry(
                place: letter.place, origin: letter.origin, error: TerminalText.escaped(letter.error),
                detail: TerminalText.escaped(String(letter.detail.prefix(Self.detailLimit))),
                key: letter.message.keyText.map(TerminalText.escaped), preview: preview, size: value.count,
                timestampMs: letter.message.timestampMilliseconds, redeliveredTo: redelivered[letter.place],
                settled: settled[letter.place]))
    }
}

extension DeadLetters {
    /// The message at `place` (`PARTITION@OFFSET`) in the topic, read directly: a dead letter, or `nil` for a
    /// place that holds none (an operator's redelivery or settlement record is none).
    package func letter(at place: String, timeout: Duration = .seconds(10)) async throws -> DeadLetter? {
        guard let place = DeadLetterPlace(place) else { return nil }
        let chunk = try await read(
            from: [place.partition: place.offset], only: [place.partition], upTo: 1, within: timeout)
        return chunk.messages.first { $0.topicPartition.partition == place.partition && $0.offset == place.offset }
            .flatMap { Self.isOperatorRecord($0) ? nil : DeadLetter(message: $0) }
    }
}

/// A place in the dead-letter topic, `PARTITION@OFFSET` (`3@120`): how operators name a dead letter.
package struct DeadLetterPlace: Sendable, Equatable, CustomStringConvertible {
    /// The partition.
    package var partition: Int32
    /// The offset.
    package var offset: Int64

    /// The place `text` names, or `nil` when it is not two non-negative numbers joined by `@`.
    package init?(_ text: String) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) }),
            let partition = Int32(parts[0]), let offset = Int64(parts[1]), partition >= 0, offset >= 0
        else { return nil }
        self.partition = partition
        self.offset = offset
    }

    /// `PARTITION@OFFSET`.
    package var description: String { "\(partition)@\(offset)" }
}
