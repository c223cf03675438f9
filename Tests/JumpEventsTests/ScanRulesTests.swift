import Foundation
import Testing

@testable import JumpEvents

/// The scanner's rules are written as data beside the decoders; this holds them to `Schemas/data/*.json`: each
/// schema is translated generically (types, bounds, patterns, formats, enums, required members) into the same
/// compact form and compared with the rule of its type.
@Suite("The scanner's rules are the schema files'")
struct ScanRulesTests {
    let definitions: [String: Any]

    init() throws {
        let defs =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: schemasDirectory.appendingPathComponent("defs.schema.json"))) as! [String: Any]
        definitions = defs["$defs"] as! [String: Any]
    }

    /// A schema node in ``ScanRule``'s description format.
    func describe(_ node: [String: Any]) -> String {
        if let reference = node["$ref"] as? String, let name = reference.split(separator: "/").last {
            return describe(definitions[String(name)] as! [String: Any])
        }
        if let values = node["enum"] as? [String] { return "one of " + values.sorted().joined(separator: ",") }
        switch node["type"] as? String {
        case "integer": return "integer \(node["minimum"] as! Int64)...\(node["maximum"] as! Int64)"
        case "array":
            let unique = (node["uniqueItems"] as? Bool) == true ? " unique" : ""
            return "array \(node["minItems"] as! Int)...\(node["maxItems"] as! Int)\(unique) of "
                + describe(node["items"] as! [String: Any])
        case "object" where node["propertyNames"] != nil:
            // data.qualifiers: JSON Pointers to objects of one shape.
            #expect(
                (node["propertyNames"] as? [String: Any])?["pattern"] as? String == "^(/[A-Za-z][A-Za-z0-9]*)+$(?!\\n)")
            #expect(node["maxProperties"] as? Int == FigureQualifier.maximumCount)
            var value = node["additionalProperties"] as! [String: Any]
            value["required"] = value["required"] ?? [String]()
            return "qualifiers of " + describe(value)
        case "object":
            #expect(node["additionalProperties"] as? Bool == false)
            let required = Set(node["required"] as? [String] ?? [])
            let members = (node["properties"] as! [String: Any]).map { key, value in
                key + (required.contains(key) ? "" : "?") + ": " + describe(value as! [String: Any])
            }
            return "object {" + members.sorted().joined(separator: ", ") + "}"
        case "string":
            switch (node["format"] as? String, node["pattern"] as? String) {
            case ("date", _): return "date"
            case ("date-time", _): return "date-time"
            case (_, "^[a-z0-9][a-z0-9._:-]{0,63}$(?!\\n)"): return "identifier"
            case (_, "^[A-Z]{2}$(?!\\n)"): return "country"
            case (_, "^[A-Z]{2}(-[A-Z0-9]{1,3})?$(?!\\n)"): return "region"
            case (nil, nil): return "string \(node["minLength"] as! Int)...\(node["maxLength"] as! Int)"
            default: return "unknown string rule \(node)"
            }
        default: return "unknown rule \(node)"
        }
    }

    @Test("each type's data rule is its schema", arguments: JumpEventType.allCases)
    func dataRule(_ type: JumpEventType) throws {
        let file = schemasDirectory.appendingPathComponent("data/\(type.rawValue).v1.schema.json")
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        #expect("\(ScanRule.object(type.dataRule))" == describe(schema))
    }
}

/// `data.qualifiers` in the scanner and the decoder alike.
@Suite("Figure qualifiers")
struct FigureQualifierTests {
    func event(_ qualifiers: String) -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"q1","source":"urn:t","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","datacontenttype":"application/json","dataschema":"urn:jump:schema:jump.jobs.reported:v1","data":{"scope":"x","period":{"year":2022},"jobsSupported":51000,"source":"s","qualifiers":QUALIFIERS}}"#
                .replacing("QUALIFIERS", with: qualifiers).utf8)
    }

    @Test("valid qualifiers are read by the decoder and pass the scanner")
    func accepted() throws {
        let text =
            #"{"/jobsSupported":{"approximation":"more-than","basis":"reported"},"/period":{"basis":"not-stated","note":"no year given"},"/a/b2":{}}"#
        let decoded = try EventDecoder().decode(event(text))
        guard case .jobsReported(let jobs) = decoded.payload else { throw CancellationError() }
        #expect(jobs.qualifiers["/jobsSupported"] == FigureQualifier(approximation: .moreThan, basis: .reported))
        #expect(jobs.qualifiers["/period"]?.basis == .notStated && jobs.qualifiers["/period"]?.note == "no year given")
        #expect(EventScanner().scan(event(text)[...]) != nil)
        #expect(EventScanner().scan(event("{}")[...]) != nil)
    }

    @Test(
        "bad qualifiers are refused by both: not a pointer, a repeated key, more than 20, an unknown member or value",
        arguments: [
            #"{"jobsSupported":{}}"#, #"{"/":{}}"#, #"{"/a/":{}}"#, #"{"/1a":{}}"#, #"{"/a//b":{}}"#,
            #"{"/a":{},"/a":{}}"#, #"{"/a":{"approximation":"roughly"}}"#, #"{"/a":{"x":1}}"#, #"{"/a":1}"#,
            #"["/a"]"#, #"{"/a":{"note":""}}"#,
            "{" + (0...20).map { #""/k\#($0)":{}"# }.joined(separator: ",") + "}",
        ])
    func refused(_ qualifiers: String) {
        #expect(throws: EventRejection.self) { try EventDecoder().decode(event(qualifiers)) }
        #expect(EventScanner().scan(event(qualifiers)[...]) == nil)
    }
}
