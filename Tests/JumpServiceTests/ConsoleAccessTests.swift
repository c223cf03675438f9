import Testing

@testable import JumpConsole

@Suite("The console's access rules")
struct ConsoleAccessTests {
    static let loopback = ConsoleHosts(names: [])

    @Test("without a token pages are open; with one, only the session cookie a right token earned opens them")
    func signIn() throws {
        #expect(ConsoleAccess(token: nil, hosts: Self.loopback).isSignedIn(cookieHeader: nil))
        let access = ConsoleAccess(token: "a-token-of-sixteen+", hosts: Self.loopback)
        #expect(access.needsSignIn)
        #expect(!access.isSignedIn(cookieHeader: nil))
        #expect(access.signIn(token: "a-token-of-sixteen") == nil)
        #expect(access.signIn(token: "a-token-of-sixteen++") == nil)
        let cookie = try #require(access.signIn(token: "a-token-of-sixteen+"))
        let session = String(cookie.split(separator: ";")[0])
        #expect(access.isSignedIn(cookieHeader: "theme=dark; \(session)"))
        #expect(!access.isSignedIn(cookieHeader: session + "0"))
        #expect(!access.isSignedIn(cookieHeader: "jump_console=a-token-of-sixteen+"), "the token is not the session")
        // Another process (a restart) signs everyone out.
        #expect(!ConsoleAccess(token: "a-token-of-sixteen+", hosts: Self.loopback).isSignedIn(cookieHeader: session))
    }

    @Test("a POST needs this process's CSRF token and, from a browser, the console's own origin")
    func actions() {
        let access = ConsoleAccess(token: nil, hosts: Self.loopback)
        let host = "127.0.0.1:9464"
        #expect(access.refusal(csrf: access.csrf, origin: nil, fetchSite: nil, host: host) == nil)
        #expect(
            access.refusal(csrf: access.csrf, origin: "http://127.0.0.1:9464", fetchSite: "same-origin", host: host)
                == nil)
        #expect(access.refusal(csrf: nil, origin: nil, fetchSite: nil, host: host)?.contains("CSRF") == true)
        #expect(access.refusal(csrf: access.csrf + "0", origin: nil, fetchSite: nil, host: host) != nil)
        #expect(access.refusal(csrf: access.csrf, origin: "http://evil.example", fetchSite: nil, host: host) != nil)
        #expect(access.refusal(csrf: access.csrf, origin: "http://127.0.0.1:9465", fetchSite: nil, host: host) != nil)
        #expect(access.refusal(csrf: access.csrf, origin: "null", fetchSite: nil, host: host) != nil)
        #expect(access.refusal(csrf: access.csrf, origin: nil, fetchSite: "cross-site", host: host) != nil)
        #expect(access.refusal(csrf: access.csrf, origin: nil, fetchSite: "same-site", host: host) != nil)
        #expect(ConsoleAccess(token: nil, hosts: Self.loopback).csrf != access.csrf, "random per process")
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
        let access = ConsoleAccess(token: nil, hosts: ConsoleHosts(names: ["console.example.org"]))
        func refusal(_ origin: String, host: String) -> String? {
            access.refusal(csrf: access.csrf, origin: origin, fetchSite: nil, host: host)
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
}
