import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// A bounded, deterministic mutation fuzzer for the event decoder and validator (a property-based generator, run
/// in the README's test command): mutants of valid events, of the schema examples and of generated events go
/// through `EventDecoder`, and every outcome must hold these properties —
/// - no input traps (the process would end);
/// - a refusal has a kind and a sentence;
/// - an accepted document is one Foundation's parser reads too, and written back by `JSONWriter` it decodes to
///   the same event (nothing accepted is ambiguous);
/// - decoding is deterministic;
/// - what `EventScanner` (the producer's fast path) accepts, the decoder accepts as the same event.
/// `JUMP_FUZZ_SECONDS` sets how long it runs (default 10); `JUMP_FUZZ_SEED` its seed. Findings are recorded as
/// test issues with the input in hex.
@Suite("Fuzzing the event decoder")
struct DecoderFuzzTests {
    static let tokens: [[UInt8]] =
        [
            "\\u0000", "\\ud800", "\\udc00\\ud800", "1e309", "-0", "9223372036854775808", "1000000000000001", "0.5",
            "{", "}", "[", "]", "\"", ",", ":", "null", "true", "\u{202E}", "\u{2028}", "\\", "\"id\":\"x\"",
            "\"data\":{}", "\"type\":\"jump.jobs.reported\"", "\"specversion\":\"1.0\"", "-", "e", ".", "1E+2",
        ].map { Array($0.utf8) } + [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x00]]

    static func seeds() -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        let examples = packageRoot.appendingPathComponent("Schemas/examples/valid")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        where name.hasSuffix(".json") {
            if let data = FileManager.default.contents(atPath: examples.appendingPathComponent(name).path) {
                seeds.append(Array(data))
            }
        }
        if let release = try? String(contentsOf: URL(fileURLWithPath: pressReleasePath), encoding: .utf8) {
            seeds += release.split(separator: "\n").map { Array($0.utf8) }
        }
        seeds += EventGenerator(seed: 42, invalidRatio: 0.2).prefix(40)
        return seeds
    }

    static func mutate(_ input: [UInt8], seeds: [[UInt8]], random: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0...random.next(below: 4) {
            let at = random.next(below: bytes.count + 1)
            switch random.next(below: 8) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << random.next(below: 8))
            case 1: bytes.insert(UInt8(random.next(below: 256)), at: at)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + random.next(below: 16))
                if at < end { bytes.removeSubrange(at..<end) }
            case 3: bytes.insert(contentsOf: tokens[random.next(below: tokens.count)], at: at)
            case 4 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + random.next(below: 32))
                if at < end { bytes.insert(contentsOf: Array(bytes[at..<end]), at: at) }
            case 5:
                let other = seeds[random.next(below: seeds.count)]
                let from = random.next(below: other.count)
                bytes.insert(contentsOf: other[from..<min(other.count, from + random.next(below: 64))], at: at)
            case 6: bytes = Array(bytes.prefix(at))
            default:
                // A digit run replaced by a number at a bound.
                if let digit = bytes.indices.dropFirst(at).first(where: { (48...57).contains(bytes[$0]) }) {
                    let bound = ["0", "-1", "100000000", "100000001", "1000000000000000", "99999999999999999999"]
                    bytes.replaceSubrange(digit...digit, with: Array(bound[random.next(below: bound.count)].utf8))
                }
            }
        }
        return bytes
    }

    @Test("mutants of valid events never trap; refusals explain themselves; what is accepted round-trips")
    func fuzz() throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = Double(environment["JUMP_FUZZ_SECONDS"] ?? "") ?? 10
        var random = SplitMix64(seed: UInt64(environment["JUMP_FUZZ_SEED"] ?? "") ?? 20_261_201)
        let seeds = Self.seeds()
        #expect(seeds.count > 40)
        let decoder = EventDecoder()
        let scanner = EventScanner()
        var scanned = 0
        let deadline = Date().addingTimeInterval(seconds)
        var executions = 0
        var accepted = 0
        var findings = 0
        func finding(_ what: String, _ input: [UInt8]) {
            findings += 1
            Issue.record("\(what): \(input.map { String(format: "%02x", $0) }.joined())")
        }
        while Date() < deadline, findings < 10 {
            for _ in 0..<200 {
                let input = Self.mutate(seeds[random.next(below: seeds.count)], seeds: seeds, random: &random)
                executions += 1
                let first = Result { () throws(EventRejection) in try decoder.decode(input) }
                let second = Result { () throws(EventRejection) in try decoder.decode(input) }
                guard first == second else {
                    finding("not deterministic", input)
                    continue
                }
                if let scan = scanner.scan(input[...]) {
                    scanned += 1
                    guard case .success(let event) = first, event.type == scan.type,
                        input[scan.subject].elementsEqual(event.subject.utf8),
                        input[scan.id].elementsEqual(event.id.utf8),
                        scanner.decode(input[...]) == event
                    else {
                        finding("the scanner accepts what the decoder refuses or reads differently", input)
                        continue
                    }
                }
                switch first {
                case .failure(let rejection):
                    if rejection.description.isEmpty || rejection.kind.name.isEmpty {
                        finding("a refusal without a reason", input)
                    }
                case .success(let event):
                    accepted += 1
                    if (try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])) == nil {
                        finding("accepted, but Foundation cannot read it", input)
                    }
                    guard let document = try? decoder.parse(input[...]) else {
                        finding("accepted, but does not parse again", input)
                        continue
                    }
                    let written = JSONWriter.encode(document)
                    if (try? decoder.decode(written)) != event {
                        finding("written back, it decodes differently", input)
                    }
                }
            }
        }
        print(
            "fuzz: \(executions) executions in \(seconds) s, \(accepted) accepted (\(scanned) by the scanner), "
                + "\(findings) findings")
        #expect(findings == 0)
        #expect(executions > 1_000)
        #expect(scanned > 0)
    }
}
