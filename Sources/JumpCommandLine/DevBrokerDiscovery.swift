import Foundation

/// How a client given no broker setting at all finds a running `jump-dev-broker` on the same machine.
///
/// The dev broker writes a well-known file (``wellKnownFile(environment:)``) with its bootstrap list and process
/// id, and removes it when it stops. A client may use it only when the user gave no broker setting, no
/// configuration file is in use, and the process does not run under systemd or Kubernetes, so that a
/// production worker can never attach to a dev broker silently. Callers log a warning when they use it.
package enum DevBrokerDiscovery {
    /// A dev broker that was found, and the file that named it.
    package struct Found: Sendable, Equatable {
        /// Its `bootstrap.servers` list.
        package var bootstrapServers: String
        /// The well-known file it was read from.
        package var file: String
    }

    /// `$JUMP_DEV_BROKER_FILE` if set, else `$XDG_RUNTIME_DIR/jump-dev-broker`, else
    /// `/tmp/jump-dev-broker-UID` (UID being the user's numeric id).
    package static func wellKnownFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["JUMP_DEV_BROKER_FILE"], !path.isEmpty { return path }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/jump-dev-broker" }
        return "/tmp/jump-dev-broker-\(getuid())"
    }

    /// Why discovery is not allowed in this environment, or `nil` when it is.
    package static func refusal(environment: [String: String], usesConfigurationFile: Bool) -> String? {
        if usesConfigurationFile { return "a configuration file is in use" }
        if environment["INVOCATION_ID"] != nil || environment["NOTIFY_SOCKET"] != nil {
            return "running under systemd"
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil { return "running under Kubernetes" }
        return nil
    }

    /// The running dev broker named by the well-known file, when discovery is allowed and its process lives.
    package static func find(
        environment: [String: String] = ProcessInfo.processInfo.environment, usesConfigurationFile: Bool = false
    ) -> Found? {
        guard refusal(environment: environment, usesConfigurationFile: usesConfigurationFile) == nil else {
            return nil
        }
        let file = wellKnownFile(environment: environment)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").map(String.init)
        guard lines.count >= 2, !lines[0].isEmpty, let pid = pid_t(lines[1]), isAlive(pid) else { return nil }
        return Found(bootstrapServers: lines[0], file: file)
    }

    /// The well-known file names another dev broker that is still running: it stays that broker's.
    package struct Taken: Error, CustomStringConvertible {
        /// The file.
        package var file: String
        /// The running broker's process id.
        package var pid: pid_t

        /// Names the other broker and the way out.
        package var description: String {
            "another jump-dev-broker (pid \(pid)) is named in \(file) and still runs; this one is not discoverable: "
                + "give its clients -b with the address it prints, or stop the other one first"
        }
    }

    /// Writes the well-known file for this process (owner-only, replaced atomically), unless it names another dev
    /// broker that still runs.
    ///
    /// - Throws: ``Taken`` when another running broker owns the file (it is left as it is); a file error.
    package static func publish(bootstrapServers: String, to file: String) throws {
        if let text = try? String(contentsOfFile: file, encoding: .utf8) {
            let lines = text.split(separator: "\n")
            if lines.count >= 2, let pid = pid_t(lines[1]), pid != getpid(), isAlive(pid) {
                throw Taken(file: file, pid: pid)
            }
        }
        let contents = "\(bootstrapServers)\n\(getpid())\n"
        let temporary = file + ".\(getpid()).tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary]) }
        guard rename(temporary, file) == 0 else {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Removes the well-known file if it still names this process.
    package static func withdraw(file: String) {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return }
        let lines = text.split(separator: "\n")
        if lines.count >= 2, pid_t(lines[1]) == getpid() { unlink(file) }
    }

    private static func isAlive(_ pid: pid_t) -> Bool {
        pid > 0 && (kill(pid, 0) == 0 || errno == EPERM)
    }
}
