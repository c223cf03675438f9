import JumpEvents
import JumpKafka

/// A valid event and its structured form (the message value, or the JSON object a binary-mode event stands for),
/// which is what the notification items carry.
struct DecodedEvent: Sendable {
    var event: JumpEvent
    var structured: [UInt8]
    /// Where `data` is in `structured`, when the one-pass scan read the event.
    var data: Range<Int>?

    /// Decodes a message in either mode of the CloudEvents Kafka binding: structured (the value is the event) or
    /// binary (`ce_` headers and the data as the value).
    init(_ message: KafkaConsumerMessage, _ decoder: EventDecoder) throws(EventRejection) {
        if CloudEventsBinaryMode.isBinary(headerNames: message.headers.lazy.map(\.name)) {
            structured = try CloudEventsBinaryMode.structured(
                headers: message.headers.map { ($0.name, $0.value) }, value: message.value, decoder: decoder)
        } else {
            guard let value = message.value else {
                throw EventRejection(.syntax, at: "", "the message has no value")
            }
            structured = value
        }
        // The one-pass scan and its typed read take nearly every event; the decoder decides the rest (and names
        // what is wrong with the invalid ones).
        if let scanned = EventScanner(limits: decoder.limits).decodeLocatingData(structured[...]) {
            event = scanned.event
            data = scanned.data
        } else {
            event = try decoder.decode(structured)
        }
    }
}

extension DecodedEvent {
    /// Decodes every message on every core (a task group over chunks of 128), results in message order.
    static func decodeAll(
        _ messages: [KafkaConsumerMessage], decoder: EventDecoder
    ) async -> [Result<DecodedEvent, EventRejection>] {
        let chunk = 128
        return await withTaskGroup(of: (Int, [Result<DecodedEvent, EventRejection>]).self) { group in
            for start in stride(from: 0, to: messages.count, by: chunk) {
                let slice = messages[start..<min(messages.count, start + chunk)]
                group.addTask {
                    (
                        start / chunk,
                        slice.map { message in
                            Result { () throws(EventRejection) in try DecodedEvent(message, decoder) }
                        }
                    )
                }
            }
            var chunks = Array(
                repeating: [Result<DecodedEvent, EventRejection>](), count: (messages.count + chunk - 1) / chunk)
            for await (index, decoded) in group { chunks[index] = decoded }
            return chunks.flatMap { $0 }
        }
    }
}
