/// Turns bytes into a valid ``JumpEvent``, or says precisely why not.
///
/// Decoding has its own limits (``JSONLimits``) and refuses invalid UTF-8 and duplicate keys before any schema
/// rule; validation then mirrors `Schemas/event.schema.json` and the schema of the event's type.
public struct EventDecoder: Sendable {
    /// The limits on one document.
    public var limits: JSONLimits

    /// A decoder with the given limits.
    public init(limits: JSONLimits = JSONLimits()) { self.limits = limits }

    /// Parses and validates one event.
    public func decode(_ bytes: [UInt8]) throws(EventRejection) -> JumpEvent {
        try validate(try parse(bytes[...]))
    }

    /// Parses and validates one event from a slice (a line of a larger input).
    public func decode(_ bytes: ArraySlice<UInt8>) throws(EventRejection) -> JumpEvent {
        try validate(try parse(bytes))
    }

    /// Parses one JSON document within the limits.
    public func parse(_ bytes: ArraySlice<UInt8>) throws(EventRejection) -> JSONValue {
        do {
            return try JSONParser(limits: limits).parse(bytes)
        } catch {
            throw EventRejection(EventRejection.Kind(error.kind), at: "", error.description)
        }
    }

    /// The envelope attributes this contract defines; any other member is an extension attribute.
    static let envelopeAttributes = [
        "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "dataschema", "data",
    ]

    /// Validates a parsed document against the contract.
    public func validate(_ document: JSONValue) throws(EventRejection) -> JumpEvent {
        var reader = try ObjectReader(document, at: "")
        let specversion = try reader.required("specversion")
        guard specversion == .string("1.0") else {
            throw .schema("/specversion", "must be \"1.0\", got \(SchemaRules.describe(specversion))")
        }
        let id = try reader.read("id") { value, path throws(EventRejection) in
            try SchemaRules.string(value, path, length: 1...128)
        }
        let source = try reader.read("source") { value, path throws(EventRejection) in
            try SchemaRules.string(value, path, length: 1...256)
        }
        let typeValue = try reader.required("type")
        guard case .string(let typeName) = typeValue else {
            throw .schema("/type", "must be a string, got \(typeValue.typeName)")
        }
        guard let type = JumpEventType(type: typeName) else {
            throw EventRejection(
                .unknownType, at: "/type",
                "unknown event type \(SchemaRules.quoted(typeName)) (known: \(JumpEventType.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        let subject = try reader.read("subject", SchemaRules.identifier)
        let time = try reader.read("time", SchemaRules.dateTime)
        if let contentType = reader.optional("datacontenttype"), contentType != .string("application/json") {
            throw .schema(
                "/datacontenttype", "must be \"application/json\", got \(SchemaRules.describe(contentType))")
        }
        let dataschema = try reader.readIfPresent("dataschema") { value, path throws(EventRejection) in
            guard case .string(let schema) = value, type.acceptedSchemas.contains(schema) else {
                throw .schema(
                    path(),
                    "must name a schema of \(type.rawValue) (\(type.acceptedSchemas.joined(separator: ", "))), got \(SchemaRules.describe(value))"
                )
            }
            return schema
        }
        let data = try reader.required("data")
        var extensions: [String: String] = [:]
        if let object = document.objectValue, object.members.count > reader.consumedCount {
            for member in object.members where !Self.envelopeAttributes.contains(member.key) {
                extensions[member.key] = try Self.extensionAttribute(member.key, member.value)
            }
        }
        let payload = try JumpEventPayload(type: type, data: data)
        return JumpEvent(
            id: id, source: source, type: type, subject: subject, time: time, dataschema: dataschema,
            extensions: extensions, payload: payload)
    }

    /// What a notification item (version 2) keeps of an event: `{"id", "type", "subject", "time", "data"}`, under
    /// the event's rules for each; the event's `source` is then empty (the item has it as its link, if it is one).
    package func validateShown(_ document: JSONValue) throws(EventRejection) -> JumpEvent {
        var reader = try ObjectReader(document, at: "")
        let id = try reader.read("id") { value, path throws(EventRejection) in
            try SchemaRules.string(value, path, length: 1...128)
        }
        let typeValue = try reader.required("type")
        guard case .string(let typeName) = typeValue, let type = JumpEventType(type: typeName) else {
            throw .schema("/type", "must name an event type, got \(SchemaRules.describe(typeValue))")
        }
        let subject = try reader.read("subject", SchemaRules.identifier)
        let time = try reader.read("time", SchemaRules.dateTime)
        let data = try reader.required("data")
        try reader.rejectUnknown(allowed: ["id", "type", "subject", "time", "data"])
        return JumpEvent(
            id: id, source: "", type: type, subject: subject, time: time, dataschema: nil, extensions: [:],
            payload: try JumpEventPayload(type: type, data: data))
    }

    /// An extension attribute: a name of 1 to 20 lowercase letters or digits, and a string value.
    private static func extensionAttribute(_ name: String, _ value: JSONValue) throws(EventRejection) -> String {
        let bytes = name.utf8
        guard (1...20).contains(bytes.count),
            bytes.allSatisfy({
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            })
        else {
            throw .schema(
                "/" + name, "unknown attribute; extension attribute names are 1 to 20 lowercase letters or digits")
        }
        return try SchemaRules.string(value, { "/" + name }, length: 0...256)
    }
}
