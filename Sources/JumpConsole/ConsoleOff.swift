import Hummingbird
import Mustache

/// What registers the console's routes on the daemon's router: the console itself (``ConsoleRoutes``), or the page
/// that says why it is off (``ConsoleOffRoutes``).
package protocol ConsoleRouting: Sendable {
    /// Adds the routes to `router`.
    func register<Context: RemoteAddressRequestContext>(on router: Router<Context>)
}

extension ConsoleRoutes: ConsoleRouting {}

/// The console's place when it is off (served beyond loopback without a token or host names): every console path
/// answers 404 with a page saying why and how to turn it on, instead of the browser's blank "not found". The page
/// holds nothing of the daemon's state and no form.
package struct ConsoleOffRoutes: ConsoleRouting {
    let page: String

    /// The page for an endpoint at `address` whose console is off for `reasons`.
    /// - Throws: when the built-in template does not parse (a defect of the build).
    package init(address: String, reasons: [String]) throws {
        let template = try MustacheTemplate(
            string: """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
                <title>Console off · jump-consumer</title>
                <style>body{font:15px/1.45 system-ui,sans-serif;margin:1.2rem;max-width:48rem;color:#1b2330}code{font:13px ui-monospace,monospace}
                @media (prefers-color-scheme:dark){body{color:#e3e8ef;background:#111821}}</style></head>
                <body><h1>The operator console is off here</h1>
                <p>This daemon listens on <code>{{address}}</code>, which is reachable beyond this machine, and:</p>
                <ul>{{#reasons}}<li>{{.}}</li>{{/reasons}}</ul>
                <p>Beyond loopback the console is served only behind a sign-in, and only to the host names it is served
                as. Set both and restart (OPERATIONS, "The operator console"), or reach it on a loopback endpoint
                (<code>--http 127.0.0.1:PORT</code>, through an SSH tunnel).</p>
                <p><code>/healthz</code>, <code>/readyz</code> and <code>/metrics</code> are served.</p>
                </body></html>
                """)
        page = template.render(["address": address, "reasons": reasons])
    }

    package func register<Context: RemoteAddressRequestContext>(on router: Router<Context>) {
        for path in ["/", "/console", "/console/**"] {
            router.get(RouterPath(path)) { _, _ in ConsoleRoutes.html(page, status: .notFound) }
        }
    }
}
