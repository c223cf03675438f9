import HTTPTypes
import Hummingbird
import JumpEvents
import JumpPublishing
import NIOCore

/// An answer to `POST /events`.
struct PublishAnswer {
    var status: Int
    var headers: HTTPFields = [:]
    var body: [UInt8]
    var contentType: String
    /// What the log says of it.
    var summary: String

    var response: Response {
        var headers = self.headers
        headers[.contentType] = contentType
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// An RFC 9457 problem: `type` is `urn:jump:problem:SLUG`.
    static func problem(
        _ status: HTTPResponse.Status, _ slug: String, _ title: String, _ detail: String, retryAfter: Int? = nil,
        headers: HTTPFields = [:], extra: JSONObject = [:]
    ) -> PublishAnswer {
        var object: JSONObject = [
            "type": .string("urn:jump:problem:\(slug)"), "title": .string(title),
            "status": .integer(Int64(status.code)),
            "detail": .string(detail),
        ]
        for member in extra.members { object.set(member.key, member.value) }
        var headers = headers
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return PublishAnswer(
            status: status.code, headers: headers, body: JSONWriter.encode(.object(object)),
            contentType: "application/problem+json", summary: detail)
    }

    /// 413, naming the limit.
    static func tooLarge(mode: HTTPEventMode, limit: Int, _ why: String) -> PublishAnswer {
        let rule =
            mode == .batch
            ? "a batch is at most \(HTTPEvents.maximumBatchBytes) bytes and \(HTTPEvents.maximumBatchEvents) events"
            : "an event is at most \(limit) bytes"
        return .problem(
            .contentTooLarge, "too-large", "The request is too large", "\(why): \(rule)",
            headers: [.connection: "close"])
    }

    /// 400 for invalid events: each one's index, JSON pointer, rule and reason, in the CLI's words. Nothing was
    /// sent.
    static func invalid(_ rejections: [(Int, EventRejection)]) -> PublishAnswer {
        let errors: [JSONValue] = rejections.map { index, rejection in
            .object([
                "index": .integer(Int64(index)), "pointer": .string(rejection.path),
                "rule": .string(rejection.kind.name), "detail": .string(rejection.description),
            ])
        }
        let first = rejections[0]
        let detail =
            rejections.count == 1
            ? "event \(first.0): \(first.1)" : "\(rejections.count) events are not valid; event \(first.0): \(first.1)"
        return .problem(
            .badRequest, "invalid-event", "Invalid event", detail + "; nothing was sent",
            extra: ["errors": .array(errors)])
    }
}
