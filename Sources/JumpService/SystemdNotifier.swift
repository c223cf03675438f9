import Foundation

/// Tells systemd how the service is doing (`Type=notify`): `READY=1` once serving, `STOPPING=1` when shutting
/// down, `WATCHDOG=1` while alive (`WatchdogSec=`), through the datagram socket in `$NOTIFY_SOCKET`. Outside
/// systemd (no socket) every call does nothing.
package struct SystemdNotifier: Sendable {
    private let socketPath: String?
    /// How often to send `WATCHDOG=1`: half of `$WATCHDOG_USEC`, if systemd asked for a watchdog.
    package let watchdogInterval: Duration?

    /// A notifier for this process's environment.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        socketPath = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        if let microseconds = environment["WATCHDOG_USEC"].flatMap(Int64.init), microseconds > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            watchdogInterval = .microseconds(microseconds / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Whether systemd listens.
    package var isActive: Bool { socketPath != nil }

    /// Sends `READY=1` and a status line.
    package func ready(status: String) { send("READY=1\nSTATUS=\(status)") }

    /// Sends `STOPPING=1`.
    package func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    /// Sends `WATCHDOG=1`.
    package func watchdog() { send("WATCHDOG=1") }

    /// Sends one datagram; errors are ignored (systemd may be gone during shutdown).
    package func send(_ message: String) {
        guard let socketPath else { return }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // an abstract socket
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, socketAddress, length) }
            }
        }
    }
}
