import Foundation
import Logging
import Synchronization

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
