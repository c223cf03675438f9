import Foundation
import JumpTestSupport
import Testing

/// `Schemas/` in the package.
let schemasDirectory = packageRoot.appendingPathComponent("Schemas")

/// The JSON files in a directory, sorted.
func jsonFiles(in directory: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// What Python's jsonschema said of one document.
struct PythonVerdict: Decodable {
    var file: String
    var valid: Bool
    var notJSON: Bool?
    var errors: [PythonError]
    struct PythonError: Decodable {
        var path: String
        var message: String
    }
}

/// Runs `Tests/Conformance/validate_events.py` and returns its verdicts by file name (or line number).
func pythonVerdicts(_ arguments: [String]) throws -> [String: PythonVerdict] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments =
        [
            "python3", packageRoot.appendingPathComponent("Tests/Conformance/validate_events.py").path,
            schemasDirectory.path,
        ] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try launch(process)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "validate_events.py failed: \(errorText)")
    var verdicts: [String: PythonVerdict] = [:]
    for line in data.split(separator: UInt8(ascii: "\n")) {
        let verdict = try JSONDecoder().decode(PythonVerdict.self, from: Data(line))
        verdicts[verdict.file] = verdict
    }
    return verdicts
}
