import JumpState
import JumpWorker

/// What the console reads and acts on, and nothing more: the roles a `jump-consumer run` process runs, their
/// status and activity, the store, the dead-letter topic and the notifier's digests.
package protocol ConsoleSource: Sendable {
    /// The roles the process runs.
    var role: ConsumerRole { get }
    /// What the state worker did minute by minute over the last hour; `nil` without the state role.
    var activity: ActivityHistory? { get }
    /// The dead-letter topic (listing a place, redelivery).
    var deadLetters: DeadLetters { get }
    /// The dead-letter topic as the console pages it.
    var deadLetterIndex: DeadLetterIndex { get }
    /// The notifier's digests; `nil` without the notifier role.
    var digestService: DigestService? { get }
    /// The store the roles share (read on reader connections).
    var store: StateStore { get }
    /// The status of every role the process runs.
    func status() -> [WorkerStatus]
}

extension ConsumerDaemon: ConsoleSource {}
