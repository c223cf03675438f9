import Foundation
import JumpEvents

/// The three modes of the CloudEvents HTTP protocol binding, as `POST /events` of `jump-producer serve` reads them.
package enum HTTPEventMode: String, Sendable, Equatable {
    /// One event as `application/cloudevents+json`.
    case structured
    /// One event whose attributes are `ce-*` headers and whose `data` is the body, described by `Content-Type`.
    case binary
    /// `application/cloudevents-batch+json`: a JSON array of structured events.
    case batch

    /// The media types a request may have, for a 415's answer.
    package static let acceptedMediaTypes =
        "application/cloudevents+json, application/cloudevents-batch+json, or application/json with ce-* headers "
        + "(binary mode)"

    /// The mode of a request with this `Content-Type`, `nil` when none fits: the `application/cloudevents*`
    /// media types say structured or batch (whatever `ce-` headers come with them, as the binding says); else
    /// binary when `ce-specversion` is present (its data must then be `application/json`, or have no
    /// `Content-Type`, as the CloudEvents SDKs send an event without `datacontenttype`).
    package init?(contentType: String?, hasSpecVersionHeader: Bool) {
        let mediaType = contentType.map { CloudEventsBinaryMode.essence(of: $0) ?? "" }
        if mediaType == "application/cloudevents+json" {
            self = .structured
        } else if mediaType == "application/cloudevents-batch+json" {
            self = .batch
        } else if hasSpecVersionHeader && (mediaType == nil || mediaType == "application/json") {
            self = .binary
        } else {
            return nil
        }
    }
}

/// A request body that cannot be read as events: the whole request is refused (a 400), naming where.
package struct HTTPBodyProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, where.
    package var description: String
    /// Whether it is a limit that was passed (a 413) rather than a body that cannot be read (a 400).
    package var isOverLimit = false
}

/// Reads the events of a `POST /events` request: each as the structured JSON it stands for, ready for
/// ``EventPublisher/prepare(_:)``.
package enum HTTPEvents {
    /// The most events in one batch.
    package static let maximumBatchEvents = 1_000
    /// The most bytes of a batch's body.
    package static let maximumBatchBytes = 4 << 20
    /// The most bytes of a single event's body, in either single mode: the publisher's event limit.
    package static let maximumEventBytes = JSONLimits().maximumBytes

    /// The body limit of a mode.
    package static func maximumBytes(_ mode: HTTPEventMode) -> Int {
        mode == .batch ? maximumBatchBytes : maximumEventBytes
    }

    /// The records of a structured or batch body (a batch's element `N` has `line` N + 1 and origin `event`).
    /// - Throws: ``HTTPBodyProblem`` for a batch that is not one JSON array of 1 to ``maximumBatchEvents``
    ///   elements (its problem located by the body's line), or with an element over ``maximumEventBytes`` (a
    ///   limit passed).
    package static func records(_ mode: HTTPEventMode, body: [UInt8]) throws(HTTPBodyProblem) -> [EventRecord] {
        guard mode == .batch else { return [EventRecord(origin: "event", line: 1, bytes: body[...])] }
        guard body.first(where: { !jsonWhitespace.contains($0) }) == UInt8(ascii: "[") else {
            throw HTTPBodyProblem(description: "a batch must be one JSON array of events")
        }
        var splitter = RecordSplitter(origin: "batch", maximumBytes: maximumEventBytes)
        var batch = body.withUnsafeBytes { splitter.feed($0) }
        let last = splitter.finish()
        batch.records += last.records
        batch.problems += last.problems
        if let problem = batch.problems.first {
            throw HTTPBodyProblem(
                description: "\(problem.location.replacing("batch:", with: "line ")): \(problem.reason)",
                isOverLimit: problem.isOverLimit)
        }
        guard !batch.records.isEmpty else {
            throw HTTPBodyProblem(description: "the batch holds no event")
        }
        guard batch.records.count <= maximumBatchEvents else {
            throw HTTPBodyProblem(
                description: "a batch holds at most \(maximumBatchEvents) events; this one has \(batch.records.count)",
                isOverLimit: true)
        }
        return batch.records.enumerated().map {
            EventRecord(origin: "event", line: $0.offset + 1, bytes: $0.element.bytes)
        }
    }

    /// The structured form of a binary-mode event: its `ce-*` headers (values percent-decoded, as the binding
    /// encodes them) and `Content-Type`, with the body as `data`.
    /// - Throws: ``EventRejection`` naming the header or the data that cannot make an event.
    package static func binaryRecord(
        headers: [(name: String, value: String)], body: [UInt8], decoder: EventDecoder
    ) throws(EventRejection) -> EventRecord {
        var attributes: [(name: String, value: [UInt8]?)] = []
        for header in headers {
            let name = header.name.lowercased()
            if name.hasPrefix("ce-") {
                guard let value = percentDecoded(header.value) else {
                    throw EventRejection(
                        .invalidUTF8, at: "/" + name.dropFirst(3),
                        "header \(name) is not valid percent-encoded UTF-8")
                }
                attributes.append(("ce_" + name.dropFirst(3), value))
            } else if name == "content-type" {
                attributes.append((name, Array(header.value.utf8)))
            }
        }
        let structured = try CloudEventsBinaryMode.structured(headers: attributes, value: body, decoder: decoder)
        return EventRecord(origin: "event", line: 1, bytes: structured[...])
    }

    /// A header value with `%XX` escapes decoded (the binding's encoding of characters outside printable ASCII,
    /// `"` and `%`); `nil` when an escape is malformed.
    static func percentDecoded(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return bytes }
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = Hexadecimal.value(bytes[index + 1]),
                    let low = Hexadecimal.value(bytes[index + 2])
                else { return nil }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return decoded
    }

    private static let jsonWhitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
}
