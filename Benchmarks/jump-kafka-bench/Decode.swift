import ArgumentParser
import Foundation
import JumpEvents

extension JumpKafkaBench {
    /// The worker's decoding of events, each path side by side: the scan with its typed read (the worker's path),
    /// and the full decoder (JSON tree, then validation; the path every event took before, and the one an event
    /// the scan leaves takes now).
    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode a file of events (JSON Lines) several times by each path; CPU µs per event.")

        @Argument(help: "Events, one per line (jump-producer generate).")
        var file: String

        @Option(help: "Rounds over the file for each path.")
        var rounds = 5

        func run() throws {
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map {
                Array($0.utf8)[...]
            }
            let scanner = EventScanner()
            let decoder = EventDecoder()
            var scanned = 0
            let fast = Self.cpuMicroseconds(rounds) {
                for line in lines where scanner.decode(line) != nil { scanned += 1 }
            }
            var decoded = 0
            let full = Self.cpuMicroseconds(rounds) {
                for line in lines where (try? decoder.decode(line)) != nil { decoded += 1 }
            }
            let events = Double(lines.count * rounds)
            print(
                #"{"events": \#(lines.count), "rounds": \#(rounds), "scanned": \#(scanned / rounds), "#
                    + #""decoded": \#(decoded / rounds), "#
                    + #""scanAndRead_us_per_event": \#(fast / events), "decoder_us_per_event": \#(full / events)}"#)
        }

        /// The process's CPU time (user and system) spent running `body` `rounds` times, in microseconds.
        static func cpuMicroseconds(_ rounds: Int, _ body: () -> Void) -> Double {
            let start = Measurement.cpuSeconds()
            for _ in 0..<rounds { body() }
            return (Measurement.cpuSeconds() - start) * 1e6
        }
    }
}
