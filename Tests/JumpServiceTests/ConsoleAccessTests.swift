import JumpEvents
import Logging
import Testing

@testable import JumpConsole

@Suite("The console's access rules")
struct ConsoleAccessTests {
    static let loopback = ConsoleHosts(names: [])

    static func plain(_ token: String) throws -> ConsoleOperators { try ConsoleOperators(fileText: token) }

    static func sha256(_ token: String) -> String {
        SHA256.hex(SHA256.hash(Array(token.utf8)))
    }

    /// Two named operators, `ana` and `luis`, whose tokens are `token-of-NAME-0123456`.
    static func anaAndLuis() throws -> ConsoleOperators {
        try ConsoleOperators(
            fileText: #"{"tokens":[{"name":"ana","sha256":"\#(Self.sha256("token-of-ana-0123456"))"},"#
                + #"{"name":"luis","sha256":"\#(Self.sha256("token-of-luis-0123456"))"}]}"#)
    }

    @Test(
        "without a token pages are open to `local`; with one, only the session cookie a right token earned opens them")
    func signIn() throws {
        #expect(ConsoleAccess(operators: nil, hosts: Self.loopback).signedInOperator(cookieHeader: nil) == "local")
        let access = ConsoleAccess(operators: try Self.plain("a-token-of-sixteen+\n"), hosts: Self.loopback)
        #expect(access.needsSignIn)
        #expect(!access.isSignedIn(cookieHeader: nil))
        #expect(access.signIn(token: "a-token-of-sixteen") == nil)
        #expect(access.signIn(token: "a-token-of-sixteen++") == nil)
        let (name, cookie) = try #require(access.signIn(token: "a-token-of-sixteen+"))
        #expect(name == "console", "a file of one token names its operator console")
        let session = String(cookie.split(separator: ";")[0])
        #expect(access.signedInOperator(cookieHeader: "theme=dark; \(session)") == "console")
        #expect(!access.isSignedIn(cookieHeader: session + "0"))
        #expect(!access.isSignedIn(cookieHeader: "jump_console=a-token-of-sixteen+"), "the token is not the session")
        // Another process (a restart) signs everyone out.
        let restarted = ConsoleAccess(operators: try Self.plain("a-token-of-sixteen+"), hosts: Self.loopback)
        #expect(!restarted.isSignedIn(cookieHeader: session))
    }

    @Test(
        "named operators: each token signs in as its operator, each sign-in its own session, and signing out ends that session only"
    )
    func namedOperators() throws {
        let operators = try Self.anaAndLuis()
        #expect(operators.count == 2 && operators.plainToken == nil)
        let access = ConsoleAccess(operators: operators, hosts: Self.loopback)
        let ana = try #require(access.signIn(token: "token-of-ana-0123456"))
        let luis = try #require(access.signIn(token: "token-of-luis-0123456"))
        let anaAgain = try #require(access.signIn(token: "token-of-ana-0123456"))
        #expect(ana.operator == "ana" && luis.operator == "luis")
        #expect(access.signIn(token: Self.sha256("token-of-ana-0123456")) == nil, "the hash is not the token")
        func session(_ cookie: String) -> String { String(cookie.split(separator: ";")[0]) }
        #expect(session(ana.cookie) != session(anaAgain.cookie))
        #expect(access.signedInOperator(cookieHeader: session(luis.cookie)) == "luis")
        let cleared = access.signOut(cookieHeader: session(ana.cookie))
        #expect(cleared.contains("Max-Age=0") && cleared.hasPrefix("jump_console=;"))
        #expect(!access.isSignedIn(cookieHeader: session(ana.cookie)), "signed out")
        #expect(access.signedInOperator(cookieHeader: session(anaAgain.cookie)) == "ana", "her other browser stays")
        #expect(access.signedInOperator(cookieHeader: session(luis.cookie)) == "luis")
    }

    @Test(
        "a console tokens file that is wrong is refused naming the place: not JSON, no tokens, a bad name or hash, a repeated name or hash, an unknown key, a short token",
        arguments: [
            ("{", "is not JSON"), (#"{"tokens":[]}"#, "/tokens: names no operator"),
            (#"{"operators":[]}"#, #"must be an object with a "tokens" array"#),
            (
                #"{"tokens":[{"name":"a b","sha256":"\#(String(repeating: "0", count: 64))"}]}"#,
                "/tokens/0/name: must be"
            ),
            (#"{"tokens":[{"name":"ana","sha256":"abc"}]}"#, "/tokens/0/sha256: must be the token's SHA-256"),
            (
                #"{"tokens":[{"name":"ana","sha256":"\#(String(repeating: "0", count: 64))"},{"name":"ana","sha256":"\#(String(repeating: "1", count: 64))"}]}"#,
                #"/tokens/1/name: "ana" is the name of an earlier operator"#
            ),
            (
                #"{"tokens":[{"name":"ana","sha256":"\#(String(repeating: "0", count: 64))"},{"name":"luis","sha256":"\#(String(repeating: "0", count: 64))"}]}"#,
                #"/tokens/1/sha256: is the hash of "ana"'s token as well"#
            ),
            (
                #"{"tokens":[{"name":"ana","sha256":"\#(String(repeating: "0", count: 64))","role":"admin"}]}"#,
                "/tokens/0/role: is not a key of an operator"
            ),
            ("too-short", "at least 16 characters"),
        ])
    func wrongTokensFile(text: String, reason: String) {
        let error = #expect(throws: TokensFileError.self) { try ConsoleOperators(fileText: text) }
        #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("a POST needs this process's CSRF token and, from a browser, the console's own origin")
    func actions() {
        let access = ConsoleAccess(operators: nil, hosts: Self.loopback)
        let host = "127.0.0.1:9464"
        let csrf = access.csrf(cookieHeader: nil)
        func refusal(_ token: String?, origin: String? = nil, fetchSite: String? = nil) -> String? {
            access.refusal(csrf: token, cookieHeader: nil, origin: origin, fetchSite: fetchSite, host: host)
        }
        #expect(refusal(csrf) == nil)
        #expect(refusal(csrf, origin: "http://127.0.0.1:9464", fetchSite: "same-origin") == nil)
        #expect(refusal(nil)?.contains("CSRF") == true)
        #expect(refusal(csrf + "0") != nil)
        #expect(refusal(csrf, origin: "http://evil.example") != nil)
        #expect(refusal(csrf, origin: "http://127.0.0.1:9465") != nil)
        #expect(refusal(csrf, origin: "null") != nil)
        #expect(refusal(csrf, fetchSite: "cross-site") != nil)
        #expect(refusal(csrf, fetchSite: "same-site") != nil)
        #expect(access.csrf(cookieHeader: "jump_console=anything") == csrf, "an open console has no sessions")
        let other = ConsoleAccess(operators: nil, hosts: Self.loopback)
        #expect(other.csrf(cookieHeader: nil) != csrf, "random per process")
    }

    @Test(
        "with sign-in, each session's forms carry a token of their own: another session's, a signed-out one's or a browser's without a session is refused"
    )
    func csrfPerSession() throws {
        let access = ConsoleAccess(operators: try Self.anaAndLuis(), hosts: Self.loopback)
        func session(_ cookie: String) -> String { String(cookie.split(separator: ";")[0]) }
        let ana = session(try #require(access.signIn(token: "token-of-ana-0123456")).cookie)
        let anaAgain = session(try #require(access.signIn(token: "token-of-ana-0123456")).cookie)
        let luis = session(try #require(access.signIn(token: "token-of-luis-0123456")).cookie)
        let tokens = [ana, anaAgain, luis].map { access.csrf(cookieHeader: $0) }
        #expect(Set(tokens).count == 3, "one per session, the same operator's two browsers included")
        #expect(tokens.allSatisfy { $0.count == 64 })
        #expect(access.csrf(cookieHeader: "theme=dark; " + ana) == tokens[0], "stable for the session")
        func refusal(_ token: String, _ cookie: String?) -> String? {
            access.refusal(csrf: token, cookieHeader: cookie, origin: nil, fetchSite: nil, host: "127.0.0.1:9464")
        }
        #expect(refusal(tokens[0], ana) == nil && refusal(tokens[2], luis) == nil)
        #expect(refusal(tokens[0], luis)?.contains("CSRF") == true, "ana's token in luis's session")
        #expect(refusal(tokens[0], anaAgain) != nil, "her other browser's session")
        #expect(refusal(tokens[0], nil) != nil && refusal(access.csrf(cookieHeader: nil), nil) != nil)
        _ = access.signOut(cookieHeader: ana)
        #expect(refusal(tokens[0], ana) != nil, "signed out")
    }

    @Test(
        "Host: loopback names and the configured ones are served, any case, with or without a port; other names (DNS rebinding), a missing Host and malformed ones are refused"
    )
    func hosts() {
        let hosts = ConsoleHosts(names: ["Console.Example.org", "10.0.0.5", "fd00::5"])
        for host in [
            "127.0.0.1:9464", "localhost:9464", "LOCALHOST", "127.3.4.5:80", "[::1]:9464", "[::1]",
            "console.example.org:9464", "console.example.org.", "10.0.0.5:9464", "[fd00::5]:9464",
        ] {
            #expect(hosts.refusal(host: host) == nil, "\(host)")
        }
        for host in [
            "evil.example:9464", "127.0.0.1.evil.example", "localhost.evil.example", "128.0.0.1", "127.0.0.1.5",
            "[::2]:9464", "console.example.org:0", "console.example.org:x", "10.0.0.6", "", "\u{1B}[2J:9464",
        ] {
            #expect(hosts.refusal(host: host) != nil, "\(host)")
        }
        #expect(hosts.refusal(host: nil)?.contains("without a Host") == true)
        let refused = hosts.refusal(host: "evil.example\u{1B}[2J:1")
        #expect(
            refused?.contains("evil.example\\e[2J:1") == true && refused?.contains("\u{1B}") == false,
            "\(refused ?? "")")
        #expect(refused?.contains("localhost, 127.0.0.1, [::1], 10.0.0.5, console.example.org, [fd00::5]") == true)
    }

    @Test(
        "Origin: a POST from one of the console's hosts on the request's port is allowed; rebinding (Host and Origin both the attacker's), another port or scheme is refused"
    )
    func originAgainstHosts() {
        let access = ConsoleAccess(operators: nil, hosts: ConsoleHosts(names: ["console.example.org"]))
        func refusal(_ origin: String, host: String) -> String? {
            access.refusal(
                csrf: access.csrf(cookieHeader: nil), cookieHeader: nil, origin: origin, fetchSite: nil, host: host)
        }
        #expect(refusal("http://127.0.0.1:9464", host: "127.0.0.1:9464") == nil)
        #expect(refusal("http://localhost:9464", host: "127.0.0.1:9464") == nil, "loopback names are one console")
        #expect(refusal("https://console.example.org", host: "console.example.org") == nil)
        #expect(refusal("https://console.example.org", host: "console.example.org:443") == nil)
        #expect(refusal("http://attacker.example:9464", host: "attacker.example:9464") != nil, "rebinding")
        #expect(refusal("http://127.0.0.1:9465", host: "127.0.0.1:9464") != nil, "another port")
        #expect(refusal("https://console.example.org", host: "console.example.org:80") != nil)
        #expect(refusal("ftp://127.0.0.1:9464", host: "127.0.0.1:9464") != nil)
        #expect(refusal("http://127.0.0.1:9464/path", host: "127.0.0.1:9464") != nil)
        #expect(refusal("127.0.0.1:9464", host: "127.0.0.1:9464") != nil)
    }

    @Test("form fields: percent-encoding and + decoded, the first of a repeated name kept, odd input harmless")
    func formFields() {
        let fields = ConsoleRoutes.formFields("csrf=ab&place=2%401&q=a+b%20c&place=9@9&empty=&novalue&%ZZ=x")
        #expect(fields["csrf"] == "ab" && fields["place"] == "2@1" && fields["q"] == "a b c")
        #expect(fields["empty"] == "" && fields["novalue"] == "")
        #expect(ConsoleRoutes.formFields("").isEmpty)
    }

    @Test(
        "the overview's recent actions: a repeat of the same record (wrong tokens from one address) is one line with a count, the newest first, at most 20"
    )
    func recentActions() {
        var logger = Logger(label: "audit")
        logger.logLevel = .critical
        let audit = ConsoleAudit(logger: logger)
        for _ in 0..<3 {
            audit.record(operator: "unknown", client: "10.0.0.9", action: "sign-in", target: "", outcome: "refused")
        }
        audit.record(operator: "ana", client: "10.0.0.1", action: "settle", target: "0@1", outcome: "Settled 0@1")
        #expect(audit.latest.map(\.operator) == ["ana", "unknown"])
        #expect(audit.latest.map(\.times) == [1, 3])
        for index in 0..<30 {
            audit.record(operator: "ana", client: "10.0.0.1", action: "settle", target: "0@\(index)", outcome: "done")
        }
        #expect(audit.latest.count == ConsoleAudit.capacity && audit.latest.first?.target == "0@29")
    }

    @Test(
        "one check at a time per address; after a wrong token an address waits, others do not, a right one frees it; many other addresses do not make one in its pause forgotten"
    )
    func throttle() {
        let throttle = SignInThrottle()
        #expect(throttle.begin("10.0.0.9"))
        #expect(!throttle.begin("10.0.0.9"), "a second check in parallel from one address waits")
        throttle.finish("10.0.0.9", failed: true)
        #expect(!throttle.begin("10.0.0.9"), "a wrong token: that address waits")
        #expect(throttle.begin("10.0.0.8"))
        throttle.finish("10.0.0.8", failed: false)
        #expect(throttle.begin("10.0.0.8"), "a right token leaves nothing to wait for")
        throttle.finish("10.0.0.8", failed: false)
        for index in 0..<(SignInThrottle.capacity + 10) {
            let address = "10.1.\(index / 256).\(index % 256)"
            #expect(throttle.begin(address))
            throttle.finish(address, failed: false)
        }
        #expect(!throttle.begin("10.0.0.9"), "an address still in its pause is not forgotten")
    }
}
