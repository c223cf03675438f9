import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The console's pages, rendered from the daemon's own state: its workers' status, its activity, the store (read
/// on a reader connection, never under the write lock), the dead-letter index and the notifier's digests.
package struct ConsolePages: Sendable {
    /// The process the console shows.
    let source: any ConsoleSource
    /// Why the process is not ready (empty: ready).
    let readiness: @Sendable () -> [String]
    /// `MAJOR.MINOR.PATCH`.
    let version: String
    /// When the process started (milliseconds since 1970).
    let startedAtMs: Int64
    /// The store's path, as shown.
    let storePath: String
    /// The CSRF token the forms carry: the requesting browser's (``ConsoleAccess/csrf(cookieHeader:)``), set for
    /// each request.
    var csrf = ""
    /// The lag above which `/readyz` says not ready (`readiness.maxLag`).
    let maxLag: Int64
    /// The pages' templates, parsed at start.
    let templates: ConsoleTemplates
    /// Dead letters per page.
    static let pageSize = 50

    /// The pages of `source`.
    /// - Throws: when a built-in template does not parse (a defect of the build, named by the parser).
    package init(
        source: any ConsoleSource, readiness: @escaping @Sendable () -> [String], version: String, storePath: String,
        maxLag: Int64
    ) throws {
        templates = try ConsoleTemplates()
        self.source = source
        self.maxLag = maxLag
        self.readiness = readiness
        self.version = version
        self.storePath = storePath
        startedAtMs = Self.nowMs()
    }

    /// A page: its title, where it sits in the navigation, and its body's HTML.
    struct Page {
        var title: String
        var path: String
        var body: String
        var refreshSeconds: Int?
    }

    /// A page saying that what was asked for is not there: `template` shows `message` as its `missing` part.
    func missing(_ title: String, path: String, _ template: MustacheTemplate, _ message: String) -> Page {
        Page(title: title, path: path, body: template.render(["missing": message]))
    }

    /// The sign-in form, which returns to `next` (a console path) once signed in.
    func signIn(next: String) -> Page {
        Page(title: "Sign in", path: "/console/sign-in", body: templates.signIn.render(["next": next]))
    }

    // MARK: - The frame

    /// `page` in the layout, with a notice or a failure above it; `signedIn` names the operator of a signed-in browser, who gets a Sign out button.
    func html(
        _ page: Page, notice: String? = nil, failure: String? = nil, navigation: Bool = true, signedIn: String? = nil
    ) -> String {
        let links = [
            ("/console", "Overview"), ("/console/dead-letters", "Dead letters"), ("/console/digests", "Digests"),
            ("/console/state", "State"), ("/console/anomalies", "Anomalies"),
        ]
        let context: [String: Any] = [
            "title": page.title, "roles": roles, "version": version, "body": page.body,
            "refreshSeconds": page.refreshSeconds ?? false, "notice": notice ?? false, "failure": failure ?? false,
            "operator": signedIn.map(Self.shown) ?? false, "csrf": csrf,
            "nav": navigation
                ? links.map { ["href": $0.0, "label": $0.1, "current": $0.0 == page.path] } : [[String: Any]](),
        ]
        return templates.layout.render(context)
    }

    /// The roles this process runs, in words.
    var roles: String {
        switch source.role {
        case .all: "state + notifier"
        case .state: "state"
        case .notifier: "notifier"
        }
    }

    /// Text from outside (events, keys, errors) as a page shows it: characters that could reorder or forge what a
    /// reader sees (bidirectional overrides, controls) made visible, as ``TerminalText`` does for a terminal.
    /// HTML escaping is Mustache's.
    static func shown(_ text: String) -> String { TerminalText.escaped(text) }

    /// Like ``shown(_:)``, keeping line breaks (a digest's text).
    static func shown(_ text: String, keepingLines: Bool) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { shown(String($0)) }.joined(
            separator: "\n")
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// `2026-12-07 20:10:03 UTC, 4 min 5 s ago`.
    static func time(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let text = date.formatted(
            Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space, timeZone: .gmt)
                .year().month().day().time(includingFractionalSeconds: false))
        let age = nowMs() - milliseconds
        return "\(text) UTC" + (age >= 0 ? ", \(duration(age)) ago" : "")
    }

    /// A query parameter's value, percent-encoded.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    /// `3 s`, `4 min 5 s`, `2 h 3 min`, `1 d 2 h`.
    static func duration(_ milliseconds: Int64) -> String {
        let seconds = max(0, milliseconds / 1000)
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3_600: return "\(seconds / 60) min \(seconds % 60) s"
        case ..<86_400: return "\(seconds / 3_600) h \(seconds % 3_600 / 60) min"
        default: return "\(seconds / 86_400) d \(seconds % 86_400 / 3_600) h"
        }
    }
}
