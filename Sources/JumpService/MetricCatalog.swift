import Foundation
import JumpCommandLine

/// What `/metrics` says of each family: a `# HELP` line for every one (swift-metrics, through which the workers
/// record, has no place for help text), the build and the process. Prometheus users alert on `rate()` and
/// `absent()`, so every family is also registered at zero when a process starts.
package enum MetricCatalog {
    /// The help text of every metric family jump-relay exports, by name.
    package static let help: [String: String] = [
        "jump_events_applied_total": "Events applied to the state store.",
        "jump_events_duplicates_total": "Events skipped because their id was applied before in the same partition.",
        "jump_events_dead_lettered_total": "Messages sent to the dead-letter topic.",
        "jump_events_anomalies_total": "Anomalies recorded while applying events.",
        "jump_events_rerouted_total": "Events moved to the partition their subject belongs to.",
        "jump_batch_duration_seconds": "Time to apply and commit one batch.",
        "jump_event_age_seconds": "Age of each message when its batch committed, from its Kafka timestamp.",
        "jump_outbox_depth": "Notification items in the store not yet relayed.",
        "jump_dead_letters_blocked": "1 while dead letters cannot be written and the batch waits, else 0.",
        "jump_dead_letters_bounded_total": "Dead letters the broker refused for their size, sent as bounded records.",
        "jump_notifications_relayed_total": "Notification items relayed to the notifications topic.",
        "jump_notifications_received_total": "Notification items the notifier took in.",
        "jump_notifications_repeated_total": "Notification items the notifier had already taken in.",
        "jump_consumer_lag": "High watermark minus the next offset to apply, per assigned partition.",
        "jump_rebalances_total":
            "Assignments the consumer group handed the worker (one per rebalance it took part in).",
        "jump_assignment_wait_seconds":
            "How long the worker was last without partitions (at start-up or in a rebalance).",
        "jump_errors_total": "Errors by kind (kafka, store, digest, relay, item).",
        "jump_digest_deliveries_total": "Digest deliveries by sink and outcome.",
        "jump_serve_requests_total": "POST /events requests by status and token name.",
        "jump_serve_events_total": "Events of POST /events by outcome (accepted, rejected, failed).",
        "jump_serve_requests_in_flight": "POST /events requests being answered.",
        "jump_serve_request_duration_seconds": "Time to answer POST /events, acknowledgements included.",
        "jump_build_info": "The running build: its version and program, value 1.",
        "process_cpu_seconds_total": "User and system CPU time spent, in seconds.",
        "process_resident_memory_bytes": "Resident memory size, in bytes.",
        "process_open_fds": "Open file descriptors.",
        "process_max_fds": "The soft limit on open file descriptors.",
        "process_start_time_seconds": "Start time of the process since the Unix epoch, in seconds.",
    ]

    /// The exposition `registry` wrote, with a `# HELP` line before each family's `# TYPE`, followed by the build's
    /// and the process's families.
    package static func exposition(_ registered: [UInt8], program: String) -> [UInt8] {
        var text = ""
        for line in String(decoding: registered, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        {
            if line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first,
                let help = help[String(name)]
            {
                text += "# HELP \(name) \(help)\n"
            }
            text += line
            text += "\n"
        }
        if text.hasSuffix("\n\n") { text.removeLast() }
        text += family(
            "jump_build_info", "gauge", #"{version="\#(JumpVersion.current)",program="\#(program)"} 1"#)
        if let process = ProcessFigures.now() {
            text += family("process_cpu_seconds_total", "counter", " \(process.cpuSeconds)")
            text += family("process_resident_memory_bytes", "gauge", " \(process.residentBytes)")
            text += family("process_open_fds", "gauge", " \(process.openDescriptors)")
            text += family("process_max_fds", "gauge", " \(process.maximumDescriptors)")
            text += family("process_start_time_seconds", "gauge", " \(process.startTime)")
        }
        return Array(text.utf8)
    }

    private static func family(_ name: String, _ type: String, _ sample: String) -> String {
        "# HELP \(name) \(help[name] ?? "")\n# TYPE \(name) \(type)\n\(name)\(sample)\n"
    }
}

/// The figures of the standard `process_*` families, read from `/proc/self` (Linux).
struct ProcessFigures {
    var cpuSeconds: Double
    var residentBytes: Int
    var openDescriptors: Int
    var maximumDescriptors: Int
    var startTime: Double

    /// Now, or `nil` where `/proc` cannot be read.
    static func now() -> ProcessFigures? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return nil }
        // Fields after the name, from field 3 (state): utime is field 14, stime 15, starttime 22, rss 24.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]),
            let started = Double(fields[19]), let pages = Int(fields[21])
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let bootTime =
            (try? String(contentsOfFile: "/proc/stat", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("btime ") }.flatMap { Double($0.dropFirst(6)) } ?? 0
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        return ProcessFigures(
            cpuSeconds: (user + system) / ticks, residentBytes: pages * Int(sysconf(Int32(_SC_PAGESIZE))),
            openDescriptors: descriptors, maximumDescriptors: Int(clamping: limit.rlim_cur),
            startTime: bootTime + started / ticks)
    }
}
