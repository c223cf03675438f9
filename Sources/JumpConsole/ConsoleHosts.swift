import JumpEvents

/// The host names the console is served as, and the check of a request's `Host` and `Origin` against them.
///
/// A browser sends the name it resolved in `Host`; a page on `attacker.example` that re-points its name to
/// 127.0.0.1 (DNS rebinding) reaches a loopback port as `attacker.example`. Answering only to the names listed here
/// keeps such a page from reading the console or using its forms. The loopback names (`localhost`, any
/// `127.x.x.x`, `::1`) are always accepted (a browser sends them only when its user typed them); other names only
/// when configured (`console.hosts`, required for an endpoint beyond loopback).
package struct ConsoleHosts: Sendable, Equatable {
    /// The names accepted besides loopback ones, lower-cased, without a trailing dot.
    package let names: Set<String>

    /// Accepts `names` (host names or IP addresses, without ports) and the loopback names.
    package init(names: [String]) {
        self.names = Set(names.compactMap(Self.normalized))
    }

    /// Whether `name` (a host without a port, as it appears in `Host`, IPv6 without brackets) is one of these.
    package func accepts(name: String) -> Bool {
        guard let name = Self.normalized(name) else { return false }
        if names.contains(name) { return true }
        return Self.isLoopback(name)
    }

    /// Why a request whose `Host` header is `host` is refused, or `nil` when the console answers it.
    package func refusal(host: String?) -> String? {
        guard let host, !host.isEmpty else {
            return "a request without a Host header is refused"
        }
        guard let authority = Authority(host), accepts(name: authority.name) else {
            return "this console answers only as \(description); a request for \(Self.shown(host)) is refused"
                + " (if that is this machine's name, list it in console.hosts)"
        }
        return nil
    }

    /// Whether a browser's `Origin` names one of these hosts, on the port the request reached (`requestHost`).
    package func accepts(origin: String, requestHost: String?) -> Bool {
        guard let schemeEnd = origin.firstRange(of: "://") else { return false }
        let scheme = origin[..<schemeEnd.lowerBound].lowercased()
        let rest = origin[schemeEnd.upperBound...]
        guard scheme == "http" || scheme == "https", !rest.contains("/"), let from = Authority(String(rest)),
            let to = requestHost.flatMap(Authority.init), accepts(name: from.name), accepts(name: to.name)
        else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        return (from.port ?? defaultPort) == (to.port ?? defaultPort)
    }

    /// The accepted names, for messages: `localhost, 127.0.0.1, [::1]` and the configured ones.
    package var description: String {
        let listed = names.sorted().map { $0.contains(":") ? "[\($0)]" : $0 }
        return (["localhost", "127.0.0.1", "[::1]"] + listed).joined(separator: ", ")
    }

    /// A name as compared: lower-cased, without a trailing dot or IPv6 brackets; `nil` if it cannot be a host.
    package static func normalized(_ name: String) -> String? {
        var name = name.lowercased()
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.utf8.count <= 253,
            name.unicodeScalars.allSatisfy({
                $0.isASCII && ($0.properties.isAlphabetic || "0123456789.-:_".unicodeScalars.contains($0))
            })
        else { return nil }
        return name
    }

    /// `localhost`, an IPv4 address in 127.0.0.0/8, or `::1`.
    static func isLoopback(_ name: String) -> Bool {
        if name == "localhost" || name == "::1" || name == "0:0:0:0:0:0:0:1" { return true }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127"
            && parts.allSatisfy { part in part.count <= 3 && UInt8(part) != nil }
    }

    /// Text from a request, safe to echo in a log or a plain-text answer: at most 100 characters, escaped by the
    /// one ``TerminalText`` rule.
    static func shown(_ text: String) -> String {
        let head = String(text.unicodeScalars.prefix(100))
        return TerminalText.escaped(head) + (text.unicodeScalars.count > 100 ? "…" : "")
    }

    /// `name[:port]` or `[v6][:port]`, as in a `Host` header or an origin.
    struct Authority {
        var name: String
        var port: Int?

        init?(_ text: String) {
            var rest = Substring(text)
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { return nil }
                name = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            } else if let colon = rest.firstIndex(of: ":") {
                name = String(rest[..<colon])
                rest = rest[colon...]
            } else {
                name = String(rest)
                rest = ""
            }
            if rest.isEmpty { return }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65_535).contains(port) else { return nil }
            self.port = port
        }
    }
}
