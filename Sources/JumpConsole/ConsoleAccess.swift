import Foundation
import JumpEvents
import Synchronization

/// Who may see the operator console and act in it.
///
/// - Pages: open on a loopback endpoint without a token (the operator is `local`); with operators' tokens
///   (``ConsoleOperators``, required beyond loopback), a browser signs in as one of them and then carries a
///   session cookie (`HttpOnly`, `SameSite=Strict`, `Secure`) naming a session of that operator, until it signs
///   out or 12 hours pass.
/// - Every request (pages, actions, sign-in): its `Host` must be one of the names the console is served as
///   (``ConsoleHosts``), so a page elsewhere cannot reach a loopback console through DNS rebinding.
/// - Actions (every POST): the form's CSRF token must be the one of the browser's session (on an open console,
///   this process's), and a browser's `Origin` (or `Sec-Fetch-Site`) must say the request comes from one of those
///   hosts on the request's port.
package final class ConsoleAccess: Sendable {
    /// The name of the session cookie.
    package static let cookieName = "jump_console"

    /// How long a session lasts.
    static let sessionSeconds = 43_200
    /// The most sessions kept at once; signing in beyond it ends the oldest.
    static let maximumSessions = 256

    /// The operators who may sign in, or `nil`: pages are open (a loopback endpoint).
    private let operators: ConsoleOperators?
    /// The sessions: each cookie value (random, per sign-in) with its operator and when it ends. Kept in memory,
    /// so a restart signs everyone out.
    private let sessions = Mutex<[(id: String, operator: String, ends: ContinuousClock.Instant)]>([])
    /// The key of the CSRF tokens: random per process. A session's token is derived from its id
    /// (HMAC-SHA256), so a token seen in one session's pages is worth nothing in another's.
    private let csrfKey: [UInt8]

    /// The names the console answers to.
    package let hosts: ConsoleHosts

    /// Access for `operators` (`nil`: no sign-in, every request is `local`'s) for requests addressed to `hosts`.
    package init(operators: ConsoleOperators?, hosts: ConsoleHosts) {
        self.operators = operators
        self.hosts = hosts
        csrfKey = Array(Self.random().utf8)
    }

    /// The CSRF token the forms of a browser with this `Cookie` header carry, never in a URL: its session's (a
    /// browser not signed in gets one no POST accepts but the sign-in, which checks its origin instead); on an open
    /// console, one per process.
    package func csrf(cookieHeader: String?) -> String {
        expectedToken(cookieHeader: cookieHeader) ?? Self.hmac(key: csrfKey, "signed out")
    }

    /// The token a POST from this browser must carry: its live session's, or on an open console the process's;
    /// `nil` for a browser not signed in.
    private func expectedToken(cookieHeader: String?) -> String? {
        guard operators != nil else { return Self.hmac(key: csrfKey, "local") }
        guard let session = Self.sessionCookie(cookieHeader), operatorOf(session: session) != nil else { return nil }
        return Self.hmac(key: csrfKey, "session " + session)
    }

    /// HMAC-SHA256 of `message` under `key`, in hex (RFC 2104).
    private static func hmac(key: [UInt8], _ message: String) -> String {
        var block = key.count > 64 ? SHA256.hash(key) : key
        block += Array(repeating: 0, count: 64 - block.count)
        var inner = SHA256()
        inner.update(block.map { $0 ^ 0x36 })
        inner.update(Array(message.utf8))
        var outer = SHA256()
        outer.update(block.map { $0 ^ 0x5C })
        outer.update(inner.finalize())
        return SHA256.hex(outer.finalize())
    }

    /// Whether pages need a sign-in.
    package var needsSignIn: Bool { operators != nil }

    /// The operator a request with this `Cookie` header acts as: `local` on an open console, the signed-in
    /// operator's name, or `nil` (not signed in, or the session ended).
    package func signedInOperator(cookieHeader: String?) -> String? {
        guard operators != nil else { return "local" }
        return Self.sessionCookie(cookieHeader).flatMap(operatorOf(session:))
    }

    /// The operator of the session `value` names, while it lasts.
    private func operatorOf(session value: String) -> String? {
        let now = ContinuousClock.now
        return sessions.withLock { sessions in
            sessions.removeAll { $0.ends <= now }
            return sessions.first { Self.constantTimeEqual($0.id, value) }?.operator
        }
    }

    /// Whether a request with this `Cookie` header may see pages.
    package func isSignedIn(cookieHeader: String?) -> Bool { signedInOperator(cookieHeader: cookieHeader) != nil }

    /// A new session for the operator whose token `candidate` is: its name and the `Set-Cookie` value; `nil` for
    /// a token that is no operator's.
    package func signIn(token candidate: String) -> (operator: String, cookie: String)? {
        guard let name = operators?.authenticate(candidate) else { return nil }
        let id = Self.random()
        let ends = ContinuousClock.now + .seconds(Self.sessionSeconds)
        sessions.withLock { sessions in
            sessions.append((id, name, ends))
            if sessions.count > Self.maximumSessions { sessions.removeFirst(sessions.count - Self.maximumSessions) }
        }
        return (
            name,
            "\(Self.cookieName)=\(id); Path=/console; HttpOnly; SameSite=Strict; Secure; Max-Age=\(Self.sessionSeconds)"
        )
    }

    /// Ends the session this `Cookie` header names, if any; returns the `Set-Cookie` value that removes the cookie.
    package func signOut(cookieHeader: String?) -> String {
        if let value = Self.sessionCookie(cookieHeader) {
            sessions.withLock { $0.removeAll { Self.constantTimeEqual($0.id, value) } }
        }
        return "\(Self.cookieName)=; Path=/console; HttpOnly; SameSite=Strict; Secure; Max-Age=0"
    }

    /// The session cookie's value in a `Cookie` header.
    private static func sessionCookie(_ header: String?) -> String? {
        for pair in header?.split(separator: ";") ?? [] {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == cookieName { return parts[1] }
        }
        return nil
    }

    /// Why a POST must be refused, or `nil` when it may proceed: a missing CSRF token or one that is not the
    /// session's (``csrf(cookieHeader:)``), or a browser saying it comes from another origin than one of ``hosts``
    /// on the port the request was sent to (`host` is the request's `Host`, already accepted by
    /// ``ConsoleHosts/refusal(host:)``).
    package func refusal(
        csrf candidate: String?, cookieHeader: String?, origin: String?, fetchSite: String?, host: String?
    ) -> String? {
        guard let expected = expectedToken(cookieHeader: cookieHeader) else {
            return "this browser is not signed in (or its session ended): sign in and try again"
        }
        guard let candidate, Self.constantTimeEqual(candidate, expected) else {
            return "the form's CSRF token is missing or wrong: reload the page and try again"
        }
        return originRefusal(origin: origin, fetchSite: fetchSite, host: host)
    }

    /// Why a POST from a browser on another site or origin must be refused (``refusal(csrf:cookieHeader:origin:fetchSite:host:)``
    /// without the form's token: the sign-in form, which a browser gets before it has a session).
    package func originRefusal(origin: String?, fetchSite: String?, host: String?) -> String? {
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
        NamedTokensFile.constantTimeEqual(Array(left.utf8), Array(right.utf8))
    }

}

/// Slows the guessing of tokens: one sign-in at a time per client address, and after a wrong token that address
/// may try again only once ``pause`` has passed; meanwhile it is answered 429 without its token being looked at.
/// Behind a reverse proxy every browser has the proxy's address: wrong tokens from anyone then slow everyone's
/// sign-in by a second (OPERATIONS says so). At most ``capacity`` addresses are remembered; past it, those whose
/// pause is over are forgotten.
final class SignInThrottle: Sendable {
    static let pause = Duration.seconds(1)
    static let capacity = 4_096
    private struct Entry {
        var failedAt: ContinuousClock.Instant?
        var checking = false
    }
    private let entries = Mutex<[String: Entry]>([:])

    /// Whether `client` may have its token checked now; if so, it holds the address's one check until
    /// ``finish(_:failed:)``.
    func begin(_ client: String) -> Bool {
        let now = ContinuousClock.now
        return entries.withLock { entries in
            var entry = entries[client] ?? Entry()
            if entry.checking { return false }
            if let failedAt = entry.failedAt, now - failedAt < Self.pause { return false }
            entry.checking = true
            entries[client] = entry
            if entries.count > Self.capacity {
                entries = entries.filter {
                    $0.value.checking || ($0.value.failedAt.map { now - $0 < Self.pause } ?? false)
                }
            }
            return true
        }
    }

    /// Ends `client`'s check: a wrong token starts its pause, a right one forgets the address.
    func finish(_ client: String, failed: Bool) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            entries[client] = failed ? Entry(failedAt: now, checking: false) : nil
        }
    }
}
