import Foundation
import JumpWorker
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
