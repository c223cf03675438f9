import Testing

@testable import JumpConsole

@Suite("The console's forms: where a sign-in returns, what an action names")
struct ConsoleFormTests {
    @Test("a sign-in returns to a console path only: anything a browser could resolve elsewhere goes to the overview")
    func returnPaths() {
        for kept in [
            "/console", "/console/dead-letters?page=2", "/console/state?q=moab", "/console?done=ab12",
            "/console/state?q=moab%20solutions", "/console/company?id=co%2Epacifico%2D1",
        ] {
            #expect(ConsoleRoutes.returnPath(kept) == kept, "\(kept)")
        }
        for refused in [
            nil, "", "https://evil.example/", "//evil.example", "/console//evil.example", "/console/\\evil",
            "/console/..", "/console/../metrics", "/console/./x", "/console/%2e%2e/healthz", "/console@evil.example",
            "/consoles", "/console\t", "/console/\r\nSet-Cookie: a=b", "/console/ä", "/metrics",
            "/console/%2E%2E?q=1", "/console/state?q=a%0d%0a//evil", "/console?q=\\evil",
        ] {
            #expect(ConsoleRoutes.returnPath(refused) == "/console", "\(String(describing: refused))")
        }
    }

    @Test("an action names its target: a place, every letter (all=1) or an audience; a form without one is no action")
    func actionTargets() {
        let redeliver = "/console/dead-letters/redeliver"
        #expect(ConsoleAction(path: redeliver, form: ["place": "0@3"]) == .redeliver(place: "0@3"))
        #expect(ConsoleAction(path: redeliver, form: ["all": "1", "place": "0@3"]) == .redeliver(place: nil))
        #expect(ConsoleAction(path: redeliver, form: [:]) == nil)
        #expect(ConsoleAction(path: redeliver, form: ["place": ""]) == nil)
        #expect(
            ConsoleAction(path: "/console/digests/send-now", form: ["audience": "consulate"])
                == .sendNow(audience: "consulate"))
        #expect(ConsoleAction(path: "/console/digests/send-now", form: [:]) == nil)
        #expect(ConsoleAction(path: "/console/elsewhere", form: ["place": "0@3"]) == nil)
    }
}
