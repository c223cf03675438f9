import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The overview: readiness, this process, the last hour's activity, each worker's lag and group, recent actions.
extension ConsolePages {
    func overview(recentActions: [ConsoleAudit.Record] = []) -> Page {
        let now = Self.nowMs()
        let reasons = readiness().map(Self.shown)
        var context: [String: Any] = [
            "readiness": reasons.isEmpty ? "Ready" : "Not ready", "readinessClass": reasons.isEmpty ? "ok" : "failing",
            "reasons": reasons, "hasReasons": !reasons.isEmpty, "roles": roles, "version": version,
            "uptime": Self.duration(now - startedAtMs), "store": Self.shown(storePath),
        ]
        let minutes = source.activity?.lastHour(now: now)
        if let minutes {
            context["chart"] = ActivityChart.svg(minutes)
            context["hour"] = [
                "applied": minutes.reduce(0) { $0 + $1.applied },
                "duplicates": minutes.reduce(0) { $0 + $1.duplicates },
                "deadLettered": minutes.reduce(0) { $0 + $1.deadLettered },
                "anomalies": minutes.reduce(0) { $0 + $1.anomalies },
            ]
        }
        // The last complete minute's pace of the state worker, for an estimate of the time to catch up.
        let perMinute = minutes.map { $0.dropLast().last?.applied ?? 0 }
        context["workers"] = source.status().map { status -> [String: Any] in
            let lag = Self.lagLine(
                lag: status.assigned.isEmpty ? nil : status.lag, maxLag: maxLag,
                eventsPerMinute: status.role == "state" ? perMinute : nil)
            return [
                "lagLine": lag.text, "lagClass": lag.level,
                "role": status.role, "group": status.group ?? "-", "problem": status.problem.map(Self.shown) ?? false,
                "lastBatch": status.lastBatchAtMs.map { "last batch \(Self.duration(now - $0)) ago" }
                    ?? (status.role == "state" ? "no batch yet" : "consuming notification items"),
                "lastPoll": status.sinceLastPollMs.map { "\(Self.duration($0)) ago" } ?? "not yet",
                "rebalances": Self.rebalanceLine(status, now: now),
                "hasPartitions": !status.partitions.isEmpty,
                "partitions": status.partitions.map { position -> [String: Any] in
                    [
                        "partition": position.partition, "next": position.next.map(String.init) ?? "start",
                        "high": position.highWatermark.map(String.init) ?? "?",
                        "lag": position.lag.map(String.init) ?? "?",
                        // The readiness limit is on the sum (the line above): a partition is only marked behind.
                        "lagClass": (position.lag ?? 0) > 0 ? "behind" : "",
                    ]
                },
            ]
        }
        context["hasActions"] = !recentActions.isEmpty
        context["actions"] = recentActions.map { record -> [String: Any] in
            [
                "when": Self.time(record.atMs), "operator": Self.shown(record.operator),
                "client": Self.shown(record.client), "action": Self.shown(record.action),
                "target": Self.shown(record.target),
                "outcome": Self.shown(record.outcome) + (record.times > 1 ? " (\(record.times) times)" : ""),
            ]
        }
        return Page(
            title: "Overview", path: "/console", body: templates.overview.render(context), refreshSeconds: 10)
    }

    /// The worker's group membership in words: `3 assignments by the group; the last wait without partitions took
    /// 3 s and ended 2 min 4 s ago` (a rebalance's cost, as the worker saw it).
    static func rebalanceLine(_ status: WorkerStatus, now: Int64) -> String {
        let count = Wording.counted(Int64(status.rebalances ?? 0), "assignment", "assignments") + " by the group"
        guard let waited = status.lastAssignmentWaitMs, let ended = status.lastAssignedAtMs else {
            return count + "; no partition held yet"
        }
        return count
            + "; the last wait without partitions took \(duration(waited)) and ended \(duration(now - ended)) ago"
    }

    /// How far behind a worker is (its partitions' lags summed, as `/readyz` sums them), in words, and how it is
    /// marked: `ok` caught up, `behind` within the readiness limit, `failing` above it (where `/readyz` says not
    /// ready); with the worker's pace, the time to catch up. `nil`: no partition assigned, or not known yet.
    static func lagLine(lag: Int64?, maxLag: Int64, eventsPerMinute: Int?) -> (text: String, level: String) {
        guard let lag else { return ("Lag not known: no partition assigned yet, or none measured.", "muted") }
        guard lag > 0 else { return ("Caught up: no message waiting.", "ok") }
        let behind = "Behind by \(Wording.counted(lag, "message", "messages"))"
        var estimate = ""
        if let eventsPerMinute, eventsPerMinute > 0 {
            let seconds = max(1, lag * 60 / Int64(eventsPerMinute))
            estimate =
                "; at \(Wording.counted(Int64(eventsPerMinute), "event", "events")) a minute, about "
                + "\(duration(seconds * 1000)) to catch up"
        }
        if lag > maxLag {
            return (
                "\(behind): above the readiness limit of \(Wording.counted(maxLag, "message", "messages")), so "
                    + "/readyz says not ready\(estimate).", "failing"
            )
        }
        return (
            "\(behind), within the readiness limit of \(Wording.counted(maxLag, "message", "messages"))\(estimate).",
            "behind"
        )
    }
}
