import Configuration
import Foundation
import JumpEvents

/// Builds the provider hierarchy of `jump-consumer run` and resolves ``ConsumerSettings`` from it.
package enum ConsumerConfiguration {
    /// The settings from, in order: `commandLine` (the options given, by configuration key), the environment
    /// (`JUMP_*`), the file (`file`, else `$JUMP_CONFIG`), the defaults.
    /// - Throws: ``SettingsError`` for a bad value, or for a configuration file that cannot be read or parsed.
    ///
    /// With `readingSecretFiles` off (`config show`), a `*File` secret is not read: the settings say which file
    /// `run` will read instead.
    package static func settings(
        commandLine: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String?, readingSecretFiles: Bool = true
    ) async throws(SettingsError) -> ConsumerSettings {
        let reader = try reader(
            commandLine: commandLine, environment: environment, file: file, schema: ConfigurationFileCheck.schema)
        return try ConsumerSettings.resolve(reader, readingSecretFiles: readingSecretFiles)
    }

    /// The layers as one reader: `commandLine` (by configuration key), the environment (`JUMP_*`), the file
    /// (`file`, else `$JUMP_CONFIG`, checked against `schema`).
    /// - Throws: ``SettingsError`` for a configuration file that cannot be read, parsed or checked.
    static func reader(
        commandLine: [String: String], environment: [String: String], file: String?,
        schema: [String: ConfigurationFileCheck.Kind]
    ) throws(SettingsError) -> ConfigReader {
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
            // Read with the strict parser (unknown keys, types, duplicates, trailing commas refused); the values
            // then form an in-memory layer, so comments may hold any JSON.
            let secretKeys = Set(ConsumerSettings.kafkaKeys.filter(\.secret).map(\.key))
            var values: [AbsoluteConfigKey: ConfigValue] = [:]
            for (key, value) in try ConfigurationFileCheck.check(path: path, schema: schema) {
                let content: ConfigContent
                switch value {
                case .integer(let number): content = .int(Int(clamping: number))
                case .string(let text): content = .string(text)
                default: continue
                }
                values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: secretKeys.contains(key))
            }
            providers.append(InMemoryProvider(name: "file \(path)", values: values))
        }
        return ConfigReader(providers: providers)
    }

    /// Where each key's value comes from: `command line`, `environment JUMP_…`, `file PATH` or `default`, by key.
    /// - Throws: ``SettingsError`` for a configuration file that cannot be read or parsed.
    package static func sources(
        commandLine: [String: String], environment: [String: String] = ProcessInfo.processInfo.environment,
        file: String?
    ) throws(SettingsError) -> [String: String] {
        let path = file ?? environment["JUMP_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        let fileKeys = try path.map { path throws(SettingsError) in
            Set(try ConfigurationFileCheck.check(path: path).map(\.0))
        }
        var sources: [String: String] = [:]
        for key in ConsumerSettings.keys {
            let variable = SettingsError.environmentName(key)
            if commandLine[key] != nil {
                sources[key] = "command line"
            } else if let value = environment[variable], !value.isEmpty {
                sources[key] = "environment \(variable)"
            } else if let path, fileKeys?.contains(key) == true {
                sources[key] = "file \(path)"
            } else {
                sources[key] = "default"
            }
        }
        return sources
    }
}
