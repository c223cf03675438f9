import Configuration
import Foundation
import SystemPackage

/// Builds the provider hierarchy of `jump-consumer run` and resolves ``ConsumerSettings`` from it.
public enum ConsumerConfiguration {
    /// The settings from, in order: `commandLine` (the options given, by configuration key), the environment
    /// (`JUMP_*`), the file (`file`, else `$JUMP_CONFIG`), the defaults.
    /// - Throws: ``SettingsError`` for a bad value, or for a configuration file that cannot be read or parsed.
    public static func settings(
        commandLine: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String?
    ) async throws(SettingsError) -> ConsumerSettings {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(
                name: "command line",
                values: Dictionary(
                    uniqueKeysWithValues: commandLine.map {
                        (AbsoluteConfigKey(ConfigKey($0.key)), ConfigValue(.string($0.value), isSecret: false))
                    })),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .dynamic { name, _ in name.contains("PASSWORD") || name.contains("SECRET") }
            ).prefixKeys(with: "jump"),
        ]
        if let path = file ?? environment["JUMP_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
            try ConfigurationFileCheck.check(path: path)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw SettingsError(
                    key: "config", value: path, allowed: "must be a readable JSON file (\(error))")
            }
        }
        return try ConsumerSettings.resolve(ConfigReader(providers: providers))
    }
}
