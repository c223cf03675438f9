import Foundation
import JumpEvents
import Testing

/// The contract lives in three forms — `Schemas/`, the decoder (`EventPayloads+Decoding.swift`) and the producer's
/// one-pass scanner (`ScanRules.swift`) — and `Schemas/` is its source of truth: every example, a generated corpus
/// and a bounded corpus of the fuzzer's mutants get the same verdict from Python's jsonschema (an independent
/// implementation, format checking on), the decoder, and the scanner where it decides (it accepts only what it
/// proves valid and leaves the rest to the decoder).
@Suite("Schema conformance: the decoder and the scanner against Python jsonschema")
struct SchemaConformanceTests {
    let decoder = EventDecoder()
    let scanner = EventScanner()

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
            #expect(scanner.scan(bytes[...]) == nil, "the scanner accepted \(name)")
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
        let python = try verdicts(lines)
        var compared = 0
        var invalid = 0
        var scanned = 0
        for (index, line) in lines.enumerated() {
            let verdict = try #require(python[String(index + 1)])
            if scanner.scan(line[...]) != nil {
                scanned += 1
                #expect(verdict.valid, "line \(index + 1): the scanner accepted, jsonschema refused: \(verdict.errors)")
            }
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
        #expect(scanned > 200, "the scanner decided \(scanned) lines")
    }

    @Test(
        "a bounded corpus of the fuzzer's mutants: what the decoder or the scanner accepts jsonschema accepts, and a schema refusal is one for jsonschema too"
    )
    func fuzzerMutants() throws {
        let seeds = DecoderFuzzTests.seeds()
        var random = SplitMix64(seed: 20_261_207)
        var mutants: [[UInt8]] = []
        // Lines of valid UTF-8 without line breaks: what a JSON Lines file can carry to the Python side.
        while mutants.count < 1_500 {
            let mutant = DecoderFuzzTests.mutate(seeds[random.next(below: seeds.count)], seeds: seeds, random: &random)
            guard !mutant.contains(0x0A), !mutant.contains(0x0D), String(validating: mutant, as: UTF8.self) != nil
            else { continue }
            mutants.append(mutant)
        }
        let python = try verdicts(mutants)
        var accepted = 0
        var schemaRefusals = 0
        for (index, mutant) in mutants.enumerated() {
            let verdict = try #require(python[String(index + 1)])
            if scanner.scan(mutant[...]) != nil {
                #expect(
                    verdict.valid, "mutant \(index + 1): the scanner accepted, jsonschema refused: \(verdict.errors)")
            }
            do {
                _ = try decoder.decode(mutant)
                accepted += 1
                #expect(
                    verdict.valid, "mutant \(index + 1): the decoder accepted, jsonschema refused: \(verdict.errors)")
            } catch  where error.kind == .schema {
                // A refusal by a schema rule (not our stricter JSON rules: duplicate keys, limits, surrogates).
                schemaRefusals += 1
                #expect(!verdict.valid, "mutant \(index + 1): the decoder refused (\(error)), jsonschema accepted")
            } catch {}
        }
        #expect(
            accepted > 50 && schemaRefusals > 200, "\(accepted) accepted, \(schemaRefusals) refused by a schema rule")
    }

    /// jsonschema's verdict on each line (keyed by line number, from 1), through a JSON Lines file.
    private func verdicts(_ lines: [[UInt8]]) throws -> [String: PythonVerdict] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("conformance-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(lines.map { $0 + [UInt8(ascii: "\n")] }.joined()).write(to: file)
        let python = try pythonVerdicts(["--jsonl", file.path])
        #expect(python.count == lines.count)
        return python
    }
}
