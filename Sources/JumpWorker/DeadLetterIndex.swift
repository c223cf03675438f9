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
        /// How many times it was dead-lettered (a rebuild of the state dead-letters it again).
        package var times = 1
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

    /// Page `number` (from 0) of `size` entries, newest first, and how many there are.
    package func page(_ number: Int, size: Int) -> (entries: [Entry], total: Int) {
        let newestFirst = entries.reversed()
        let start = min(max(0, number) * size, entries.count)
        return (Array(newestFirst.dropFirst(start).prefix(size)), entries.count)
    }

    private func add(_ letter: DeadLetter) {
        if let of = letter.message.header(DeadLetters.redeliveryOfHeader)?.text {
            let to = letter.message.header(DeadLetters.redeliveredToHeader)?.text ?? "?"
            redelivered[of] = to
            if let index = indexByPlace[of], entries[index].redeliveredTo == nil { entries[index].redeliveredTo = to }
            return
        }
        let origin = letter.sameness
        if let index = indexBySameness[origin] {
            entries[index].times += 1
            indexByPlace[letter.place] = index
            entries[index].redeliveredTo = entries[index].redeliveredTo ?? redelivered[letter.place]
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
                timestampMs: letter.message.timestampMilliseconds, redeliveredTo: redelivered[letter.place]))
    }
}

extension DeadLetters {
    /// The dead letter at `place` (`PARTITION@OFFSET`) in the topic, read directly.
    package func letter(at place: String, timeout: Duration = .seconds(10)) async throws -> DeadLetter? {
        let parts = place.split(separator: "@")
        guard parts.count == 2, let partition = Int32(parts[0]), let offset = Int64(parts[1]), offset >= 0 else {
            return nil
        }
        let chunk = try await read(
            from: [partition: offset], only: [partition], upTo: 1, within: timeout)
        return chunk.messages.first { $0.topicPartition.partition == partition && $0.offset == offset }
            .map { DeadLetter(message: $0) }
    }
}
