import Foundation
import JumpWorker
import Logging
import Synchronization

/// An action the console can take, read from its form: what it asks before it runs, and where its outcome is shown.
enum ConsoleAction: Equatable {
    /// Redeliver one dead letter (its place in the dead-letter topic), or every one not redelivered or settled yet
    /// (`nil`).
    case redeliver(place: String?)
    /// Settle one dead letter without redelivering it, with the operator's note.
    case settle(place: String, note: String)
    /// Close an audience's open window and deliver its digest now.
    case sendNow(audience: String)
    /// Send a past digest again by mail to its recipients.
    case resend(digest: String)

    /// The action a POST to `path` with `form` asks for; `nil` for another path, or a form that names no target
    /// (or a place that is not `PARTITION@OFFSET`).
    init?(path: String, form: [String: String]) {
        switch path {
        case "/console/dead-letters/redeliver":
            if form["all"] == "1" {
                self = .redeliver(place: nil)
            } else if let place = form["place"].flatMap(DeadLetterPlace.init) {
                self = .redeliver(place: place.description)
            } else {
                return nil
            }
        case "/console/dead-letters/settle":
            guard let place = form["place"].flatMap(DeadLetterPlace.init) else { return nil }
            self = .settle(place: place.description, note: String((form["note"] ?? "").prefix(Self.noteLimit)))
        case "/console/digests/resend":
            guard let digest = form["digest"], !digest.isEmpty, digest.count <= 200 else { return nil }
            self = .resend(digest: digest)
        case "/console/digests/send-now":
            guard let audience = form["audience"], !audience.isEmpty else { return nil }
            self = .sendNow(audience: audience)
        default: return nil
        }
    }

    /// Where the action posts.
    var path: String {
        switch self {
        case .redeliver: "/console/dead-letters/redeliver"
        case .settle: "/console/dead-letters/settle"
        case .sendNow: "/console/digests/send-now"
        case .resend: "/console/digests/resend"
        }
    }

    /// The longest note a settlement keeps, in characters (as `dlq settle --note`).
    static let noteLimit = 500

    /// The page that shows its outcome (and where Cancel goes).
    var returnPath: String {
        switch self {
        case .redeliver, .settle: "/console/dead-letters"
        case .sendNow, .resend: "/console/digests"
        }
    }

    /// The form's fields that say what to do (the confirmation posts them again).
    var fields: [(name: String, value: String)] {
        switch self {
        case .redeliver(let place?): [("place", place)]
        case .redeliver(nil): [("all", "1")]
        case .settle(let place, let note): [("place", place), ("note", note)]
        case .sendNow(let audience): [("audience", audience)]
        case .resend(let digest): [("digest", digest)]
        }
    }
}

/// The outcomes of actions, kept a while so that the page an action redirects to can show what happened (and a
/// reload of it shows the same, without doing anything again): at most ``capacity``, the oldest dropped first.
final class ConsoleOutcomes: Sendable {
    struct Outcome: Sendable, Equatable {
        var notice: String?
        var failure: String?
    }
    static let capacity = 64
    private let kept = Mutex<[(id: String, outcome: Outcome)]>([])

    /// Keeps `outcome`; returns the id to ask for it by.
    func keep(_ outcome: Outcome) -> String {
        let id = (0..<8).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        kept.withLock {
            $0.append((id, outcome))
            if $0.count > Self.capacity { $0.removeFirst($0.count - Self.capacity) }
        }
        return id
    }

    /// The outcome kept as `id`, if it is still kept.
    func outcome(_ id: String?) -> Outcome? {
        guard let id else { return nil }
        return kept.withLock { kept in kept.last { $0.id == id }?.outcome }
    }
}

/// The audit trail of the console: every action, sign-in and sign-out, logged as one record (`event=console.action`,
/// the JSON format's `"event": "console.action"`) with the operator, the client's address, the action, its target
/// and its outcome, and the latest ``capacity`` kept for the overview's "Recent actions".
final class ConsoleAudit: Sendable {
    /// One record.
    struct Record: Sendable, Equatable {
        var atMs: Int64
        var `operator`: String
        var client: String
        var action: String
        var target: String
        var outcome: String
        /// How many times in a row the same record was made (wrong tokens from one client): shown once, counted.
        var times = 1
    }
    static let capacity = 20
    private let recent = Mutex<[Record]>([])
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// Logs the record and keeps it.
    func record(operator name: String, client: String, action: String, target: String, outcome: String) {
        let record = Record(
            atMs: ConsolePages.nowMs(), operator: name, client: client, action: action, target: target,
            outcome: outcome)
        logger.notice(
            "console: \(action)\(target.isEmpty ? "" : " \(target)") by \(name): \(outcome)",
            metadata: [
                "event": "console.action", "operator": "\(name)", "client": "\(client)", "action": "\(action)",
                "target": "\(target)", "outcome": "\(outcome)",
            ])
        recent.withLock { kept in
            if var last = kept.last,
                (last.operator, last.client, last.action, last.target, last.outcome)
                    == (name, client, action, target, outcome)
            {
                last.times += 1
                last.atMs = record.atMs
                kept[kept.count - 1] = last
                return
            }
            kept.append(record)
            if kept.count > Self.capacity { kept.removeFirst(kept.count - Self.capacity) }
        }
    }

    /// The records kept, newest first.
    var latest: [Record] { recent.withLock { Array($0.reversed()) } }
}

extension ConsoleAction {
    /// The action's name in the audit trail.
    var auditName: String {
        switch self {
        case .redeliver: "redeliver"
        case .settle: "settle"
        case .sendNow: "send-now"
        case .resend: "resend"
        }
    }

    /// What it acts on, as the audit trail names it.
    var auditTarget: String {
        switch self {
        case .redeliver(let place): place ?? "every open dead letter"
        case .settle(let place, _): place
        case .sendNow(let audience): audience
        case .resend(let digest): digest
        }
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
