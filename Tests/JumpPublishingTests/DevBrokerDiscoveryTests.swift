import Foundation
import JumpCommandLine
import Testing

@Suite("Dev-broker discovery")
struct DevBrokerDiscoveryTests {
    @Test("the dev broker is found only with no broker setting, no configuration file, outside systemd")
    func discoveryRules() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("discovery-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let environment = ["XDG_RUNTIME_DIR": directory]
        let file = DevBrokerDiscovery.wellKnownFile(environment: environment)
        #expect(file == directory + "/jump-dev-broker")
        #expect(DevBrokerDiscovery.find(environment: environment) == nil)

        try DevBrokerDiscovery.publish(bootstrapServers: "127.0.0.1:9", to: file)
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(DevBrokerDiscovery.find(environment: environment)?.bootstrapServers == "127.0.0.1:9")
        #expect(DevBrokerDiscovery.find(environment: environment, usesConfigurationFile: true) == nil)
        #expect(DevBrokerDiscovery.find(environment: environment.merging(["INVOCATION_ID": "x"]) { $1 }) == nil)
        #expect(DevBrokerDiscovery.find(environment: environment.merging(["NOTIFY_SOCKET": "/run/x"]) { $1 }) == nil)
        #expect(
            DevBrokerDiscovery.find(environment: environment.merging(["KUBERNETES_SERVICE_HOST": "10.0.0.1"]) { $1 })
                == nil)

        // A file left by a dead process is ignored.
        try "127.0.0.1:9\n999999999\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(DevBrokerDiscovery.find(environment: environment) == nil)

        try DevBrokerDiscovery.publish(bootstrapServers: "127.0.0.1:9", to: file)
        DevBrokerDiscovery.withdraw(file: file)
        #expect(!FileManager.default.fileExists(atPath: file))

        // A file naming another broker that still runs (here: process 1) is never taken over, nor removed.
        try "127.0.0.1:7\n1\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: DevBrokerDiscovery.Taken.self) {
            try DevBrokerDiscovery.publish(bootstrapServers: "127.0.0.1:9", to: file)
        }
        DevBrokerDiscovery.withdraw(file: file)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "127.0.0.1:7\n1\n")
    }
}
