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
        case "object":
            #expect(node["additionalProperties"] as? Bool == false)
            let required = Set(node["required"] as! [String])
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
