import Foundation

/// The CloudEvents Kafka protocol binding's binary mode: the event's data is the message value, each attribute a
/// `ce_`-prefixed header (`ce_id`, `ce_type`, …), and `datacontenttype` the `content-type` header. jump-relay
/// writes structured mode (one JSON object, `content-type: application/cloudevents+json`) and reads both; a
/// binary-mode event is turned into the structured object it stands for and validated as one, so the same event
/// is the same ``JumpEvent`` (same id, same content) whichever mode carried it.
public enum CloudEventsBinaryMode {
    /// Whether a message with these header names is a binary-mode event: it has a `ce_specversion` header.
    public static func isBinary(headerNames: some Sequence<String>) -> Bool {
        headerNames.contains { $0 == "ce_specversion" }
    }

    /// The structured form of a binary-mode event: one JSON object with the `ce_` attributes, `datacontenttype`
    /// from `content-type` when present, and `data` parsed from `value` (with `decoder`'s limits). Other headers
    /// are not attributes and are left out.
    ///
    /// - Throws: ``EventRejection`` naming the header or the value that cannot make an event.
    public static func structured(
        headers: [(name: String, value: [UInt8]?)], value: [UInt8]?, decoder: EventDecoder
    ) throws(EventRejection) -> [UInt8] {
        var object = JSONObject()
        for header in headers {
            let attribute: String
            if header.name.hasPrefix("ce_") {
                attribute = String(header.name.dropFirst(3))
            } else if header.name.lowercased() == "content-type" {
                attribute = "datacontenttype"
            } else {
                continue
            }
            guard attribute != "data" else {
                throw EventRejection(
                    .schema, at: "/data", "header ce_data: in binary mode the data is the message value, not a header")
            }
            guard !object.contains(attribute) else {
                throw EventRejection(.duplicateKey, at: "/" + attribute, "header \(header.name) appears twice")
            }
            guard let bytes = header.value, let text = String(validating: bytes, as: UTF8.self) else {
                throw EventRejection(
                    .invalidUTF8, at: "/" + attribute,
                    "header \(TerminalText.escaped(header.name)) has no value or one that is not UTF-8")
            }
            object.set(attribute, .string(attribute == "datacontenttype" ? mediaType(text) : text))
        }
        guard let value else {
            throw EventRejection(.schema, at: "/data", "a binary-mode event needs its data as the message value")
        }
        object.set("data", try decoder.parse(value[...]))
        return JSONWriter.encode(.object(object))
    }

    /// A `content-type` as the event's `datacontenttype`: `application/json` with at most a UTF-8 charset
    /// parameter (`application/json; charset=utf-8`, any case, quoted or not), which is what JSON is (RFC 8259),
    /// reads as `application/json`; anything else stays as given, for validation to name it.
    static func mediaType(_ contentType: String) -> String {
        essence(of: contentType) == "application/json" ? "application/json" : contentType
    }

    /// A `Content-Type`'s media type, lowercased, when it has no parameter but a UTF-8 charset (any case, quoted
    /// or not, spaces around `=` allowed); `nil` otherwise.
    package static func essence(of contentType: String) -> String? {
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0] == "charset", ["utf-8", "\"utf-8\""].contains(pair[1]) else { return nil }
        }
        return parts.first
    }
}
