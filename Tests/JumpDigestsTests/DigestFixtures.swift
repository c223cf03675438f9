import Foundation
import JumpDigests
import JumpEvents
import JumpState
import JumpTestSupport
import Logging

/// Runs events through the real pipeline without Kafka: the state fold with the router writes items to the
/// outbox; the items are then "received" by the notifier side of the same store, as the relay and the
/// notifier would.
struct DigestFixture {
    let store: StateStore
    let directory: URL
    var configuration: DigestConfiguration
    private var nextEventOffset: [Int32: Int64] = [:]
    private var nextNotificationOffset: Int64 = 0
    static let logger = Logger(label: "test")

    init(configuration: DigestConfiguration = .builtIn) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("digests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try StateStore(path: directory.appendingPathComponent("state.sqlite").path)
        self.configuration = configuration
    }

    /// Folds events (JSON lines) into partition `partition` and returns the items the router wrote. With
    /// `prepared`, the records' items are composed before the transaction, and their data copied from where the
    /// one-pass scan found it, as a worker does (else the items find it by parsing the event again).
    mutating func fold(
        _ lines: [String], partition: Int32 = 0, prepared: Bool = false
    ) async throws -> [OutboxNotification] {
        let decoder = EventDecoder()
        let start = nextEventOffset[partition]
        var offset = start ?? 0
        var records: [ConsumedRecord] = []
        for line in lines {
            let bytes = Array(line.utf8)
            var record = ConsumedRecord(
                partition: partition, offset: offset, content: .event(try decoder.decode(bytes), raw: bytes))
            if prepared { record.eventData = EventScanner().decodeLocatingData(bytes[...])?.data }
            records.append(record)
            offset += 1
        }
        let router = DigestRouter(audiences: configuration.audiences)
        if prepared {
            for index in records.indices { records[index].prepareItems(topic: "jump.events", router: router) }
        }
        let before = try await store.pendingNotifications(limit: 100_000).map(\.sequence)
        try await store.apply(topic: "jump.events", records: records, expected: [partition: start], router: router)
        nextEventOffset[partition] = offset
        return try await store.pendingNotifications(limit: 100_000).filter { !before.contains($0.sequence) }
    }

    /// Relays and receives every item in the outbox at `receivedAt`.
    mutating func receiveOutbox(at receivedAt: Int64) async throws {
        let pending = try await store.pendingNotifications(limit: 100_000)
        guard !pending.isEmpty else { return }
        let items = try pending.map {
            try NotificationItem(json: $0.item).received(json: String(decoding: $0.item, as: UTF8.self))
        }
        let start = nextNotificationOffset
        nextNotificationOffset += Int64(items.count)
        try await store.notifier.receive(
            topic: "jump.notifications", partition: 0, items: items, nextOffset: nextNotificationOffset,
            expected: start == 0 ? nil : start, receivedAt: receivedAt)
        try await store.removeNotifications(pending.map(\.sequence))
    }

    /// One window the way most tests need it: the windows start at 14:00Z, `lines` are folded and their items
    /// received at 14:20Z, and the window closes at 15:00Z. Returns the digests built, delivered to `sinks`.
    @discardableResult
    mutating func closeOneWindow(_ lines: [String], sinks: [any DigestSink] = []) async throws -> [StoredDigest] {
        let windows = try windows(sinks: sinks)
        try await windows.closeDue(now: ms("2026-11-29T14:05:00Z"))
        _ = try await fold(lines)
        try await receiveOutbox(at: ms("2026-11-29T14:20:00Z"))
        return try await windows.closeDue(now: ms("2026-11-29T15:00:00Z"))
    }

    func windows(sinks: [any DigestSink] = []) throws -> DigestWindows {
        DigestWindows(
            store: store.notifier, configuration: configuration,
            renderer: try DigestRenderer(
                templateDirectory: configuration.templateDirectory, glossary: configuration.glossary,
                plausibility: configuration.plausibility), sinks: sinks,
            logger: Self.logger)
    }

    /// The press-release stream's lines, completed as jump-producer completes them (content ids).
    static func pressRelease() throws -> [String] {
        try String(
            contentsOf: packageRoot.appendingPathComponent("Schemas/examples/press-release.jsonl"), encoding: .utf8
        ).split(separator: "\n").map { line in
            guard case .object(var object) = try JSONParser().parse(String(line)) else { return String(line) }
            EventCompletion.complete(&object, source: "test", now: { "2026-11-29T14:00:00Z" })
            return JSONWriter.string(.object(object))
        }
    }

    /// A valid example event's JSON, on one line.
    static func example(_ name: String) throws -> String {
        let data = try Data(contentsOf: packageRoot.appendingPathComponent("Schemas/examples/valid/\(name).json"))
        let object = try JSONSerialization.jsonObject(with: data)
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}

/// Milliseconds since 1970 of an RFC 3339 UTC time.
func ms(_ text: String) -> Int64 { Timestamp.parseUTC(text)! }
