import Testing

@testable import JumpConsole

@Suite("The console's access rules")
struct ConsoleAccessTests {
    @Test("without a token pages are open; with one, only the session cookie a right token earned opens them")
    func signIn() throws {
        #expect(ConsoleAccess(token: nil).isSignedIn(cookieHeader: nil))
        let access = ConsoleAccess(token: "a-token-of-sixteen+")
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
        #expect(!ConsoleAccess(token: "a-token-of-sixteen+").isSignedIn(cookieHeader: session))
    }

    @Test("a POST needs this process's CSRF token and, from a browser, the console's own origin")
    func actions() {
        let access = ConsoleAccess(token: nil)
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
        #expect(ConsoleAccess(token: nil).csrf != access.csrf, "random per process")
    }

    @Test("form fields: percent-encoding and + decoded, the first of a repeated name kept, odd input harmless")
    func formFields() {
        let fields = ConsoleRoutes.formFields("csrf=ab&place=2%401&q=a+b%20c&place=9@9&empty=&novalue&%ZZ=x")
        #expect(fields["csrf"] == "ab" && fields["place"] == "2@1" && fields["q"] == "a b c")
        #expect(fields["empty"] == "" && fields["novalue"] == "")
        #expect(ConsoleRoutes.formFields("").isEmpty)
    }
}
