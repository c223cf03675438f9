/// What a publisher adds to an event before it is sent: a content-derived `id` when absent (so publishing the
/// same file twice adds nothing), `time` and `source` when absent, and the content type and schema.
public enum EventCompletion {
    /// The id an event without one gets: `c-` and 32 hex digits (128 bits) of the SHA-256 of its canonical JSON
    /// (keys sorted, no white space), computed before anything is filled in.
    public static func contentID(of object: JSONObject) -> String {
        var withoutID = object
        withoutID.remove("id")
        let digest = SHA256.hash(JSONWriter.encode(.object(withoutID), sortedKeys: true))
        return "c-" + SHA256.hex(digest.prefix(16))
    }

    /// Fills in what is absent; returns the names of the attributes it filled.
    @discardableResult
    public static func complete(
        _ object: inout JSONObject, source: String, now: () -> String
    ) -> [String] {
        var filled: [String] = []
        if !object.contains("id") {
            object.set("id", .string(contentID(of: object)))
            filled.append("id")
        }
        if !object.contains("specversion") {
            object.set("specversion", "1.0")
            filled.append("specversion")
        }
        if !object.contains("source") {
            object.set("source", .string(source))
            filled.append("source")
        }
        if !object.contains("time") {
            object.set("time", .string(now()))
            filled.append("time")
        }
        if !object.contains("datacontenttype") {
            object.set("datacontenttype", "application/json")
            filled.append("datacontenttype")
        }
        if !object.contains("dataschema"), let type = object["type"]?.stringValue.flatMap(JumpEventType.init(type:)) {
            object.set("dataschema", .string(type.currentSchema))
            filled.append("dataschema")
        }
        return filled
    }
}
