import Foundation

/// Who may see the operator console and act in it.
///
/// - Pages: open on a loopback endpoint without a token; with a token (required beyond loopback), a browser
///   signs in once and then carries a session cookie (`HttpOnly`, `SameSite=Strict`, `Secure`).
/// - Every request (pages, actions, sign-in): its `Host` must be one of the names the console is served as
///   (``ConsoleHosts``), so a page elsewhere cannot reach a loopback console through DNS rebinding.
/// - Actions (every POST): the form's CSRF token must match this process's, and a browser's `Origin` (or
///   `Sec-Fetch-Site`) must say the request comes from one of those hosts on the request's port.
package struct ConsoleAccess: Sendable {
    /// The name of the session cookie.
    package static let cookieName = "jump_console"

    /// The token that signs a browser in, or `nil`: pages are open (a loopback endpoint).
    private let token: String?
    /// The session cookie's value after sign-in: random per process, so a restart signs everyone out.
    private let session: String
    /// The CSRF token every form carries: random per process, never in a URL.
    package let csrf: String

    /// The names the console answers to.
    package let hosts: ConsoleHosts

    /// Access with `token` (`nil`: no sign-in) for requests addressed to `hosts`.
    package init(token: String?, hosts: ConsoleHosts) {
        self.token = token
        self.hosts = hosts
        session = Self.random()
        csrf = Self.random()
    }

    /// Whether pages need a sign-in.
    package var needsSignIn: Bool { token != nil }

    /// Who acts, as settlement records and logs name them: `local` on an open loopback console, `console` for a
    /// browser signed in with the token.
    package var operatorName: String { token == nil ? "local" : "console" }

    /// Whether a request with this `Cookie` header may see pages.
    package func isSignedIn(cookieHeader: String?) -> Bool {
        guard token != nil else { return true }
        guard let cookieHeader else { return false }
        for pair in cookieHeader.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == Self.cookieName, Self.constantTimeEqual(parts[1], session) { return true }
        }
        return false
    }

    /// The `Set-Cookie` value for a browser that gave the right token, or `nil`.
    package func signIn(token candidate: String) -> String? {
        guard let token, Self.constantTimeEqual(candidate, token) else { return nil }
        return "\(Self.cookieName)=\(session); Path=/console; HttpOnly; SameSite=Strict; Secure; Max-Age=43200"
    }

    /// Why a POST must be refused, or `nil` when it may proceed: a missing or wrong CSRF token, or a browser
    /// saying it comes from another origin than one of ``hosts`` on the port the request was sent to (`host` is
    /// the request's `Host`, already accepted by ``ConsoleHosts/refusal(host:)``).
    package func refusal(csrf candidate: String?, origin: String?, fetchSite: String?, host: String?) -> String? {
        guard let candidate, Self.constantTimeEqual(candidate, csrf) else {
            return "the form's CSRF token is missing or wrong: reload the page and try again"
        }
        if let fetchSite, !["same-origin", "none"].contains(fetchSite.lowercased()) {
            return "a request from another site (Sec-Fetch-Site: \(ConsoleHosts.shown(fetchSite))) is refused"
        }
        if let origin, origin != "null" {
            guard hosts.accepts(origin: origin, requestHost: host) else {
                return "a request from another origin (\(ConsoleHosts.shown(origin))) is refused"
            }
        } else if origin == "null" {
            return "a request from an opaque origin is refused"
        }
        return nil
    }

    private static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let value = generator.next() as UInt64
            let hex = String(value, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    /// Compares without stopping at the first difference (a token is not guessed byte by byte from timing).
    static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let (a, b) = (Array(left.utf8), Array(right.utf8))
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
