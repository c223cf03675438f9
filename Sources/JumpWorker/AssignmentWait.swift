import JumpKafka
import Logging

/// A consumer waiting for partitions: no endless silent wait. A daemon logs every 10 s while it holds none (why
/// a restart is not ready yet); with `--until-idle`, the wait is bounded and ends with
/// ``AssignmentTimedOut``, naming the likely causes.
struct AssignmentWait {
    let role: String
    let topic: String
    let group: String
    /// The bound with `--until-idle`; `nil` for a daemon.
    let timeout: Duration?
    let logger: Logger
    /// When the present wait began: at start-up, or when the last partition was revoked; `nil` while partitions
    /// are assigned.
    private var waitingSince: ContinuousClock.Instant?
    private var lastLog: ContinuousClock.Instant

    init(
        role: String, topic: String, group: String, timeout: Duration?, logger: Logger,
        now: ContinuousClock.Instant = .now
    ) {
        self.role = role
        self.topic = topic
        self.group = group
        self.timeout = timeout
        self.logger = logger
        waitingSince = now
        lastLog = now
    }

    /// Called after each poll.
    mutating func check(_ consumer: KafkaConsumer) throws {
        try check(assigned: !consumer.assignment.isEmpty, lastError: consumer.lastClientError)
    }

    /// Notes whether partitions are assigned after a poll; returns how long the wait lasted when this poll ended
    /// one. A wait is measured from its own beginning (a member that loses its partitions in a rebalance after
    /// hours of work waits seconds, not hours).
    @discardableResult
    mutating func check(
        assigned: Bool, lastError: @autoclosure () -> String?, now: ContinuousClock.Instant = .now
    ) throws -> Duration? {
        guard !assigned else {
            guard let since = waitingSince else { return nil }
            waitingSince = nil
            logger.info(
                "partitions assigned after waiting \(seconds(now - since))",
                metadata: ["role": "\(role)", "waitedSeconds": .stringConvertible((now - since).components.seconds)])
            return now - since
        }
        guard let since = waitingSince else {
            waitingSince = now
            lastLog = now
            return nil
        }
        if let timeout, now - since > timeout {
            throw AssignmentTimedOut(role: role, topic: topic, group: group, waited: timeout, lastError: lastError())
        }
        if now - lastLog >= .seconds(10) {
            lastLog = now
            var metadata: Logger.Metadata = [
                "role": "\(role)", "group": "\(group)",
                "waitedSeconds": .stringConvertible((now - since).components.seconds),
            ]
            if let error = lastError() { metadata["lastError"] = "\(error)" }
            logger.notice("waiting for partitions of \(topic) in the group", metadata: metadata)
        }
        return nil
    }

    private func seconds(_ duration: Duration) -> String { "\(duration.components.seconds) s" }
}

/// `--until-idle` ended because no partition was assigned within the bound.
package struct AssignmentTimedOut: Error, CustomStringConvertible {
    /// `state` or `notifier`.
    package var role: String
    /// The topic.
    package var topic: String
    /// The consumer group.
    package var group: String
    /// How long it waited.
    package var waited: Duration
    /// librdkafka's last error, if any.
    package var lastError: String?

    /// Names the wait and the likely causes, with what to do.
    package var description: String {
        var text =
            "\(role): no partition of \(topic) assigned in the group \(group) within \(waited.components.seconds) s"
        if let lastError {
            text += "; the last error from the brokers: \(lastError); check -b/--brokers (JUMP_BROKERS)"
        } else {
            text +=
                "; another member of \(group) may hold them (a running daemon: stop it, or run only the other role "
                + "with --role), or the topic does not exist"
        }
        return text + " (--wait-timeout sets the bound)"
    }
}

extension KafkaConsumerConfiguration {
    /// The consumer settings of jump-consumer's workers.
    ///
    /// An 8 s session with a heartbeat every 2 s (librdkafka's defaults are 45 s and 3 s): a member killed without
    /// leaving frees its partitions within 8 s, and a restarted daemon joins quickly on the dev broker, whose mock
    /// coordinator holds a group whose last member left for the session timeout before it lets a new one in.
    ///
    /// A prefetch of 12 MiB instead of librdkafka's 64: a worker applies a batch at a time, so a backlog keeps it
    /// busy without holding the topic in memory (peak RSS of the state worker about 93 MiB on the benchmark's
    /// 100,000 events, 155 MiB with 64). The prefetch also caps how fast a worker can catch up: librdkafka 2.0.2
    /// looks again at a partition whose fetch queue was full only about once a second (its debug log says "not
    /// fetchable: queued.max.messages.kbytes exceeded", then fetches 1.0 s later), so a worker reads at most about
    /// its prefetch per second. With 8 MiB the state worker waited half of every second with an empty queue
    /// (about 16,000 events/s after the join, whatever its CPU); with 12 MiB, 21,000 to 24,000.
    /// `-X session.timeout.ms=...` or `-X queued.max.messages.kbytes=...` still wins.
    mutating func useWorkerDefaults() {
        sessionTimeout = .seconds(8)
        heartbeatInterval = .seconds(2)
        prefetchKilobytes = 12_288
    }
}
