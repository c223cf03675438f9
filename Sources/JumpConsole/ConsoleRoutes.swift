import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The console's HTTP routes under `/console` (and `/` leading there), for the daemon's Hummingbird endpoint.
package struct ConsoleRoutes: Sendable {
    let pages: ConsolePages
    let access: ConsoleAccess
    let logger: Logger
    let outcomes = ConsoleOutcomes()
    let audit: ConsoleAudit
    let throttle = SignInThrottle()

    /// Routes serving `pages` to whoever `access` lets in.
    package init(pages: ConsolePages, access: ConsoleAccess, logger: Logger) {
        self.pages = pages
        self.access = access
        self.logger = logger
        audit = ConsoleAudit(logger: logger)
    }

    /// Adds the routes to `router`.
    package func register<Context: RemoteAddressRequestContext>(on router: Router<Context>) {
        router.get("/") { request, _ in misdirected(request) ?? Self.redirect("/console") }
        router.get("/console") { request, _ in
            try await page(request) { pages in pages.overview(recentActions: audit.latest) }
        }
        router.get("/console/dead-letters") { request, _ in
            let number = request.uri.queryParameters.get("page").flatMap(Int.init) ?? 0
            let error = request.uri.queryParameters.get("error").map { String($0.prefix(100)) }
            return try await page(request) { pages in
                try await pages.deadLetters(page: max(0, min(number, 1_000_000)), error: error)
            }
        }
        router.get("/console/dead-letters/:place") { request, context in
            let place = context.parameters.get("place") ?? ""
            return try await page(request) { pages in try await pages.deadLetter(place: String(place.prefix(40))) }
        }
        router.get("/console/digests") { request, _ in
            try await page(request) { pages in try await pages.digests() }
        }
        for action in [
            "/console/dead-letters/redeliver", "/console/dead-letters/settle", "/console/digests/send-now",
            "/console/digests/resend",
        ] {
            router.post(RouterPath(action)) { request, context in try await self.action(request, context) }
        }
        router.get("/console/state") { request, _ in
            // A form's GET sends a space as `+`: the raw query is decoded as a form is.
            let query = Self.query(request, "q", limit: 200)
            return try await page(request) { pages in try await pages.state(query: query) }
        }
        router.get("/console/digest") { request, _ in
            let id = Self.query(request, "id", limit: 200) ?? ""
            return try await page(request) { pages in try await pages.digest(id: id) }
        }
        router.get("/console/digest-preview") { request, _ in
            let audience = Self.query(request, "audience", limit: 100) ?? ""
            return try await page(request) { pages in try await pages.preview(audience: audience) }
        }
        router.get("/console/anomalies") { request, _ in
            let number = Self.query(request, "page").flatMap(Int.init) ?? 0
            let kind = Self.query(request, "kind", limit: 100)
            let period = Self.query(request, "since", limit: 10)
            return try await page(request) { pages in
                try await pages.anomalies(kind: kind, period: period, page: max(0, min(number, 1_000_000)))
            }
        }
        router.get("/console/company") { request, _ in
            let id = Self.query(request, "id", limit: 200) ?? ""
            return try await page(request) { pages in try await pages.company(id: id) }
        }
        router.get("/console/sign-in") { request, _ in
            if let refused = misdirected(request) { return refused }
            guard access.needsSignIn else { return Self.redirect("/console") }
            let next = Self.returnPath(request.uri.queryParameters.get("next").map { String($0) })
            return Self.html(pages.html(pages.signIn(next: next), navigation: false))
        }
        router.post("/console/sign-in") { request, context in
            if let refused = misdirected(request) { return refused }
            guard access.needsSignIn else { return Self.redirect("/console") }
            let client = context.clientAddress
            // A sign-in form posted from another site would sign this browser in as someone else (login CSRF).
            if let refusal = access.originRefusal(
                origin: request.headers[.origin], fetchSite: request.headers[Self.fetchSite],
                host: request.head.authority)
            {
                audit.record(
                    operator: "unknown", client: client, action: "sign-in", target: "", outcome: "refused: \(refusal)")
                return Self.html(refusal + "\n", status: .forbidden, type: "text/plain; charset=utf-8")
            }
            let form = try await Self.form(request)
            let next = Self.returnPath(form["next"])
            guard throttle.begin(client) else {
                return Self.html(
                    pages.html(
                        pages.signIn(next: next),
                        failure: "A wrong token was given from here a moment ago: wait a second.",
                        navigation: false),
                    status: .tooManyRequests)
            }
            let signedIn = access.signIn(token: form["token"] ?? "")
            throttle.finish(client, failed: signedIn == nil)
            guard let (name, cookie) = signedIn else {
                audit.record(
                    operator: "unknown", client: client, action: "sign-in", target: "",
                    outcome: "refused: a wrong token")
                return Self.html(
                    pages.html(pages.signIn(next: next), failure: "That is not the token.", navigation: false),
                    status: .unauthorized)
            }
            audit.record(operator: name, client: context.clientAddress, action: "sign-in", target: "", outcome: "done")
            var response = Self.redirect(next)
            response.headers[.setCookie] = cookie
            return response
        }
        router.post("/console/sign-out") { request, context in
            if let refused = misdirected(request) { return refused }
            guard access.needsSignIn, let name = access.signedInOperator(cookieHeader: request.headers[.cookie])
            else { return Self.redirect("/console/sign-in") }
            let form = try await Self.form(request)
            if let refused = refused(request, form: form, by: name, client: context.clientAddress, as: "sign-out") {
                return refused
            }
            let cleared = access.signOut(cookieHeader: request.headers[.cookie])
            audit.record(operator: name, client: context.clientAddress, action: "sign-out", target: "", outcome: "done")
            var response = Self.redirect("/console/sign-in")
            response.headers[.setCookie] = cleared
            return response
        }
    }

    /// The answer to a request addressed to a host the console is not served as (421 Misdirected Request), or
    /// `nil` when its `Host` is one of ``ConsoleAccess/hosts``.
    private func misdirected(_ request: Request) -> Response? {
        guard let refusal = access.hosts.refusal(host: request.head.authority) else { return nil }
        logger.warning(
            "console: a request for another host refused",
            metadata: ["path": "\(request.uri.path)", "why": "\(refusal)"])
        return Self.html(refusal + "\n", status: .misdirectedRequest, type: "text/plain; charset=utf-8")
    }

    /// A page for a signed-in browser (any browser on an open console); others are sent to sign in. With
    /// `?done=ID`, the outcome of the action that redirected here is shown above it.
    private func page(
        _ request: Request, _ build: (ConsolePages) async throws -> ConsolePages.Page
    ) async throws -> Response {
        if let refused = misdirected(request) { return refused }
        guard let name = access.signedInOperator(cookieHeader: request.headers[.cookie]) else {
            var asked = request.uri.path
            if let query = request.uri.query, !query.isEmpty { asked += "?" + query }
            return Self.redirect(
                "/console/sign-in?next="
                    + (asked.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "%2Fconsole"))
        }
        let pages = pages(for: request)
        do {
            let outcome = outcomes.outcome(request.uri.queryParameters.get("done"))
            return Self.html(
                pages.html(
                    try await build(pages), notice: outcome?.notice, failure: outcome?.failure,
                    signedIn: access.needsSignIn ? name : nil))
        } catch {
            logger.warning("console: a page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            let failed = ConsolePages.Page(title: "Unavailable", path: request.uri.path, body: "")
            return Self.html(
                pages.html(failed, failure: "This page cannot be shown now: \(ConsolePages.shown("\(error)"))"),
                status: .serviceUnavailable)
        }
    }

    /// The pages as `request`'s browser gets them: its forms carry its session's CSRF token.
    private func pages(for request: Request) -> ConsolePages {
        var pages = pages
        pages.csrf = access.csrf(cookieHeader: request.headers[.cookie])
        return pages
    }

    /// The 403 for a POST whose CSRF token, origin or site ``ConsoleAccess`` refuses, recorded in the audit trail
    /// as `action` by `name`; `nil` when the POST may proceed.
    private func refused(
        _ request: Request, form: [String: String], by name: String, client: String, as action: String
    ) -> Response? {
        guard
            let refusal = access.refusal(
                csrf: form["csrf"], cookieHeader: request.headers[.cookie], origin: request.headers[.origin],
                fetchSite: request.headers[Self.fetchSite],
                host: request.head.authority)
        else { return nil }
        audit.record(operator: name, client: client, action: action, target: "", outcome: "refused: \(refusal)")
        return Self.html(refusal + "\n", status: .forbidden, type: "text/plain; charset=utf-8")
    }

    /// An action (a POST with its CSRF token, from the console's own origin). Its first POST answers a page that
    /// asks to confirm it, without a script: that page's form posts it again with `confirm=yes`, which runs it and
    /// answers 303 to the page that shows its outcome (a reload there shows the outcome again and does nothing).
    private func action(_ request: Request, _ context: some RemoteAddressRequestContext) async throws -> Response {
        if let refused = misdirected(request) { return refused }
        guard let name = access.signedInOperator(cookieHeader: request.headers[.cookie]) else {
            return Self.html("sign in first\n", status: .forbidden, type: "text/plain; charset=utf-8")
        }
        let form = try await Self.form(request)
        if let refused = refused(request, form: form, by: name, client: context.clientAddress, as: request.uri.path) {
            return refused
        }
        let pages = pages(for: request)
        guard let action = ConsoleAction(path: request.uri.path, form: form) else {
            return Self.html(
                "the form names nothing to act on (place as PARTITION@OFFSET, all=1, audience or digest)\n",
                status: .badRequest,
                type: "text/plain; charset=utf-8")
        }
        do {
            guard form["confirm"] == "yes" else {
                return Self.html(
                    pages.html(
                        try await pages.confirmation(action, by: name), signedIn: access.needsSignIn ? name : nil))
            }
            let outcome: (notice: String?, failure: String?)
            switch action {
            case .redeliver(let place): outcome = try await pages.redeliver(place: place)
            case .settle(let place, let note): outcome = try await pages.settle(place: place, note: note, by: name)
            case .sendNow(let audience): outcome = try await pages.sendNow(audience: audience)
            case .resend(let digest): outcome = try await pages.resend(digest: digest)
            }
            audit.record(
                operator: name, client: context.clientAddress, action: action.auditName, target: action.auditTarget,
                outcome: [outcome.notice, outcome.failure].compactMap { $0 }.joined(separator: " "))
            let id = outcomes.keep(.init(notice: outcome.notice, failure: outcome.failure))
            return Self.redirect("\(action.returnPath)?done=\(id)")
        } catch {
            logger.warning("console: an action failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            audit.record(
                operator: name, client: context.clientAddress, action: action.auditName, target: action.auditTarget,
                outcome: "failed: \(error)")
            let failed = ConsolePages.Page(title: "Not done", path: request.uri.path, body: "")
            return Self.html(
                pages.html(failed, failure: "Not done: \(ConsolePages.shown("\(error)"))"), status: .serviceUnavailable
            )
        }
    }

    /// Where a sign-in returns to: `next` when it is a path of the console, else the overview. A path of the
    /// console starts `/console`, then `/` or `?` or nothing; holds printable ASCII only, no backslash and no `//`;
    /// its path (before `?`) holds no `%` escape and no dot segment (so a browser cannot resolve it anywhere else),
    /// while its query may hold escapes (a search for two words returns to that search).
    static func returnPath(_ next: String?) -> String {
        guard let next, next == "/console" || next.hasPrefix("/console/") || next.hasPrefix("/console?"),
            next.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
            !next.contains("//"), !next.contains("\\")
        else { return "/console" }
        let path = next.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard !path.contains("%"), !path.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else {
            return "/console"
        }
        return next
    }

    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// An `application/x-www-form-urlencoded` body (at most 16 KiB) as its fields; the first of a repeated name.
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        return formFields(String(buffer: buffer))
    }

    /// The query parameter `name`, at most `limit` characters, decoded as a form's (a form's GET sends a space
    /// as `+`).
    static func query(_ request: Request, _ name: String, limit: Int = .max) -> String? {
        formFields(request.uri.query ?? "")[name].map { String($0.prefix(limit)) }
    }

    /// The fields of a URL-encoded form.
    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decoded(_ text: Substring) -> String {
                String(text).replacing("+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decoded(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decoded(parts[1]) : "" }
        }
        return fields
    }

    static func html(
        _ text: String, status: HTTPResponse.Status = .ok, type: String = "text/html; charset=utf-8"
    ) -> Response {
        var headers: HTTPFields = [
            .contentType: type, .cacheControl: "no-store",
            // Nothing runs and nothing loads from elsewhere: the pages are HTML, inline style and inline SVG.
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
                + "frame-ancestors 'none'; base-uri 'none'",
            .xContentTypeOptions: "nosniff",
        ]
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

extension RemoteAddressRequestContext {
    /// The client's IP address as the audit trail shows it (`127.0.0.1`, `::1`), or `unknown`.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
