import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The page that asks before an action runs.
extension ConsolePages {
    /// The page that asks whether to take `action`, whose button posts it again with `confirm=yes`.
    func confirmation(_ action: ConsoleAction, by: String) async throws -> Page {
        let question: String
        let detail: String
        let button: String
        switch action {
        case .redeliver(let place?):
            let origin = try await source.deadLetters.letter(at: place)?.origin
            question = "Redeliver dead letter \(Self.shown(place))?"
            detail =
                "It goes back to \(origin.map(Self.shown) ?? "the topic it came from"), where the state worker reads "
                + "it again; an event it already applied is not applied twice."
            button = "Yes, redeliver \(Self.shown(place))"
        case .redeliver(nil):
            let waiting = try await source.deadLetters.readAll().filter(\.isOpen).count
            question = "Redeliver every dead letter not redelivered or settled yet?"
            detail =
                "\(Wording.counted(Int64(waiting), "dead letter goes", "dead letters go")) back to where "
                + "\(waiting == 1 ? "it" : "they") came from; an event already applied is not applied twice."
            button = "Yes, redeliver \(Wording.counted(Int64(waiting), "dead letter", "dead letters"))"
        case .settle(let place, let note):
            question = "Settle dead letter \(Self.shown(place)) without redelivering it?"
            detail =
                "It stays in the dead-letter topic, marked settled by \(Self.shown(by))"
                + (note.isEmpty ? " (no note)" : ": “\(Self.shown(note))”")
                + "; every listing shows it settled and “Redeliver every open one” leaves it out."
            button = "Yes, settle \(Self.shown(place))"
        case .resend(let digest):
            let stored = try await source.store.notifier.digest(id: digest)
            // Only deliveries that are over (delivered, or failed for good) go again; one under way is left alone.
            let recipients =
                stored?.deliveries.filter { $0.sink == "email" && ["delivered", "failed"].contains($0.status) }
                .map(\.recipient) ?? []
            question = "Send digest \(Self.shown(digest)) again by mail?"
            detail =
                source.digestService == nil
                ? "This process runs --role \(source.role.rawValue): it sends no digests; nothing would be sent."
                : stored == nil
                    ? "There is no such digest in this process's store: nothing would be sent."
                    : recipients.isEmpty
                        ? "It has no finished mail delivery (no e-mail sink, or one still under way): nothing would be sent."
                        : "It goes again to \(recipients.map(Self.shown).joined(separator: ", ")), each with a Message-ID of its own; the files and the digests topic keep the copy they have."
            button = "Yes, send \(Self.shown(digest)) again"
        case .sendNow(let audience):
            let name = source.digestService?.configuration.audiences.first { $0.id == audience }?.name ?? audience
            question = "Send the digest for \(Self.shown(name)) now?"
            detail = "Its open window closes now and its digest is delivered to its sinks; the next window starts now."
            button = "Yes, send now: \(Self.shown(name))"
        }
        let context: [String: Any] = [
            "question": question, "detail": detail, "button": button, "action": action.path,
            "back": action.returnPath, "csrf": csrf,
            "fields": action.fields.map { ["name": $0.name, "value": $0.value] },
        ]
        return Page(title: "Confirm", path: action.returnPath, body: templates.confirm.render(context))
    }
}
