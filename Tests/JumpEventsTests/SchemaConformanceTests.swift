import Foundation
import JumpEvents
import Testing

/// The Swift validator mirrors `Schemas/`: every example, and a generated corpus, gets the same verdict from it
/// and from Python's jsonschema (an independent implementation, format checking on).
@Suite("Schema conformance: Swift validator against Python jsonschema")
struct SchemaConformanceTests {
    let decoder = EventDecoder()

    @Test("every valid example is valid for both validators")
    func validExamples() throws {
        let files = try jsonFiles(in: schemasDirectory.appendingPathComponent("examples/valid"))
        #expect(files.count >= 8)
        let python = try pythonVerdicts(files.map(\.path))
        var types = Set<JumpEventType>()
        for file in files {
            let name = file.lastPathComponent
            #expect(python[name]?.valid == true, "jsonschema refused \(name): \(python[name]?.errors ?? [])")
            do {
                types.insert(try decoder.decode(Array(try Data(contentsOf: file))).type)
            } catch {
                Issue.record("the Swift validator refused \(name): \(error)")
            }
        }
        #expect(types == Set(JumpEventType.allCases), "a valid example of every type")
    }

    @Test("every invalid example is invalid for both, and Swift names the expected place")
    func invalidExamples() throws {
        let files = try jsonFiles(in: schemasDirectory.appendingPathComponent("examples/invalid"))
        let expected = try JSONDecoder().decode(
            [String: String].self,
            from: Data(contentsOf: schemasDirectory.appendingPathComponent("examples/invalid-expected.json")))
        #expect(Set(expected.keys) == Set(files.map(\.lastPathComponent)), "invalid-expected.json lists every example")
        let python = try pythonVerdicts(files.map(\.path))
        for file in files {
            let name = file.lastPathComponent
            #expect(python[name]?.valid == false, "jsonschema accepted \(name)")
            let bytes = Array(try Data(contentsOf: file))
            do {
                let event = try decoder.decode(bytes)
                Issue.record("the Swift validator accepted \(name): \(event.id)")
            } catch {
                #expect(error.path == expected[name], "\(name): \(error)")
            }
        }
    }

    @Test("a generated corpus with invalid events gets the same verdict, line by line")
    func generatedCorpus() throws {
        let lines = Array(EventGenerator(seed: 2026, invalidRatio: 0.3).prefix(600))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(lines.map { $0 + [UInt8(ascii: "\n")] }.joined()).write(to: file)
        let python = try pythonVerdicts(["--jsonl", file.path])
        #expect(python.count == lines.count)
        var compared = 0
        var invalid = 0
        for (index, line) in lines.enumerated() {
            let verdict = try #require(python[String(index + 1)])
            do {
                _ = try decoder.decode(line)
                #expect(verdict.valid, "line \(index + 1): Swift accepted, jsonschema refused: \(verdict.errors)")
            } catch  where [.syntax, .duplicateKey].contains(error.kind) {
                // Stricter decoding rules of our own (tested on their own); Python's json accepts duplicate keys.
                continue
            } catch {
                invalid += 1
                #expect(!verdict.valid, "line \(index + 1): Swift refused (\(error)), jsonschema accepted")
            }
            compared += 1
        }
        #expect(compared > 500)
        #expect(invalid > 100)
    }
}
