import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The digests: the list with deliveries, one digest's items, the open window's preview, send now, resend.
extension ConsolePages {
    func digests() async throws -> Page {
        var context: [String: Any] = ["role": source.role.rawValue, "csrf": csrf]
        if let service = source.digestService {
            let audiences = service.configuration.audiences
            context["notifier"] = true
            let now = Self.nowMs()
            context["audiences"] = audiences.map { audience -> [String: Any] in
                let closes = WindowClock(
                    schedule: audience.schedule, timeZone: TimeZone(identifier: audience.timeZone) ?? .gmt
                ).boundary(after: now)
                return [
                    "id": audience.id, "name": Self.shown(audience.name),
                    "preview": "/console/digest-preview?audience=" + Self.queryValue(audience.id),
                    "schedule": audience.schedule.describe(timeZone: audience.timeZone),
                    "next":
                        "\(Timestamp.local(closes, timeZone: audience.timeZone)), in \(Self.duration(closes - now))",
                ]
            }
            context["digests"] = try await source.store.notifier.digests(limit: 30).map {
                stored, deliveries -> [String: Any] in
                let digest = try? DigestCoding.decode(stored.json)
                return [
                    "id": stored.id, "audienceName": Self.shown(digest?.audienceName ?? stored.audience),
                    "window": digest.map { "\($0.window.localStart) – \($0.window.localEnd)" }
                        ?? "\(Timestamp.utc(stored.windowStart)) – \(Timestamp.utc(stored.windowEnd))",
                    "items": Wording.counted(Int64(stored.itemCount), "item", "items"),
                    "href": "/console/digest?id=" + Self.queryValue(stored.id), "csrf": csrf,
                    "mailed": deliveries.contains { $0.sink == "email" },
                    "builtAt": Timestamp.utc(stored.builtAt),
                    "deliveries": deliveries.map { delivery -> [String: Any] in
                        [
                            "sink": delivery.sink,
                            "recipient": Self.shown(
                                delivery.recipient.isEmpty ? delivery.deliveredTo ?? "" : delivery.recipient),
                            "status": delivery.status,
                            "attempts": delivery.attempts, "deliveredAt": delivery.deliveredAt.map(Timestamp.utc) ?? "",
                            "lastError": delivery.lastError.map(Self.shown) ?? "",
                        ]
                    },
                    "texts": (digest?.languages ?? []).enumerated().compactMap { index, language -> [String: Any]? in
                        guard let text = digest?.text[language.rawValue] else { return nil }
                        return [
                            "language": language.rawValue, "text": Self.shown(text, keepingLines: true),
                            "open": index == 0,
                        ]
                    },
                ]
            }
        }
        return Page(title: "Digests", path: "/console/digests", body: templates.digests.render(context))
    }

    /// One digest with every item it reports (the text shows the 25 most important): each item's importance,
    /// headline in the audience's languages, type, date, event id and the event's place in the log.
    func digest(id: String) async throws -> Page {
        guard let (stored, _) = try await source.store.notifier.digest(id: id),
            let digest = try? DigestCoding.decode(stored.json)
        else {
            return missing(
                "Digest", path: "/console/digests", templates.digest,
                "No digest \(Self.shown(id)) in this process's store: the Digests page lists the latest.")
        }
        return Page(title: "Digest", path: "/console/digests", body: templates.digest.render(context(of: digest)))
    }

    /// What the open window of `audience` would send now, without closing it: the same page as a digest's, with
    /// its text in each language.
    func preview(audience id: String) async throws -> Page {
        guard let service = source.digestService,
            let audience = service.configuration.audiences.first(where: { $0.id == id })
        else {
            return missing(
                "Preview", path: "/console/digests", templates.digest,
                "No audience \(Self.shown(id)) in this process's digest configuration.")
        }
        guard let digest = try await service.windows.preview(audience),
            !digest.items.isEmpty || audience.reportEmptyWindows
        else {
            return missing(
                "Preview", path: "/console/digests", templates.digest,
                "Nothing would be sent to \(Self.shown(audience.name)) now: its open window has no item, and it is not sent empty digests."
            )
        }
        var context = context(of: digest)
        context["preview"] = true
        context["texts"] = digest.languages.enumerated().compactMap { index, language -> [String: Any]? in
            digest.text[language.rawValue].map {
                ["language": language.rawValue, "text": Self.shown($0, keepingLines: true), "open": index == 0]
            }
        }
        return Page(title: "Preview", path: "/console/digests", body: templates.digest.render(context))
    }

    /// A digest as its page shows it.
    private func context(of digest: Digest) -> [String: Any] {
        [
            "audienceName": Self.shown(digest.audienceName), "id": Self.shown(digest.id),
            "window": "\(digest.window.localStart) – \(digest.window.localEnd)",
            "items": Wording.counted(Int64(digest.items.count), "item", "items"),
            "omitted": digest.itemsOmitted.map { "\($0)" } ?? false,
            "rows": digest.items.map { item -> [String: Any] in
                [
                    "importance": item.importance, "type": Self.shown(item.type),
                    "happenedOn": item.happenedOn ?? "", "eventId": Self.shown(item.eventId),
                    "origin": "\(Self.shown(item.origin.topic))[\(item.origin.partition)]@\(item.origin.offset)",
                    "derived": item.derived == true,
                    "headlines": digest.languages.compactMap { language -> [String: Any]? in
                        item.headline[language.rawValue].map {
                            ["language": language.rawValue, "text": Self.shown($0)]
                        }
                    },
                ]
            },
        ]
    }

    /// Sends a past digest again by mail (``NotifierStore/resendByMail(digestID:)``); the running notifier
    /// delivers it within a second or so.
    func resend(digest id: String) async throws -> (notice: String?, failure: String?) {
        guard source.digestService != nil else {
            return (nil, "This process runs --role \(source.role.rawValue): it sends no digests.")
        }
        guard try await source.store.notifier.digest(id: id) != nil else {
            return (nil, "\(Self.shown(id)): no such digest")
        }
        let queued = try await source.store.notifier.resendByMail(digestID: id)
        guard queued > 0 else {
            return (
                nil, "\(Self.shown(id)) has no mail delivery to send again (no e-mail sink, or one still under way)."
            )
        }
        return (
            "\(Self.shown(id)) goes again by mail to \(Wording.counted(Int64(queued), "recipient", "recipients")).", nil
        )
    }

    /// Closes `audience`'s open window now and delivers, as `digest send-now` does.
    func sendNow(audience: String) async throws -> (notice: String?, failure: String?) {
        guard let service = source.digestService else {
            return (nil, "This process runs --role \(source.role.rawValue): it sends no digests.")
        }
        guard service.configuration.audiences.contains(where: { $0.id == audience }) else {
            return (nil, "\(Self.shown(audience)): no such audience")
        }
        let built = try await service.sendNow(audience: audience)
        let mine = built.filter { $0.audience == audience }
        guard let digest = mine.last else { return ("Nothing to send for \(audience): its window is empty.", nil) }
        return ("Sent \(digest.id) (\(Wording.counted(Int64(digest.itemCount), "item", "items"))).", nil)
    }
}
