import Testing

@testable import JumpWorker

/// The state worker's batch loop, step by step, without Kafka or a store: the order that keeps one batch in flight
/// while the next is prepared, tops the next one up after the commit, pauses after a commit, and ends a run until
/// idle only with nothing in flight.
@Suite("The state worker's batch loop as a value")
struct BatchLoopTests {
    @Test("a batch is prepared while the one before commits, then topped up with what arrived, then applied")
    func overlap() {
        var loop = BatchLoop(untilIdle: false, pauses: false)
        #expect(loop.start == .poll)
        #expect(loop.polled(messages: 1000) == .prepare)
        #expect(loop.prepared() == .apply, "nothing in flight: the first batch goes at once")
        #expect(loop.applied(stopRequested: false) == .poll, "the next is polled while the first commits")
        #expect(loop.inFlight)
        #expect(loop.polled(messages: 400) == .prepare)
        #expect(loop.prepared() == .awaitCommit, "one transaction at a time")
        #expect(loop.committed() == .topUp, "what arrived while it committed joins the batch")
        #expect(!loop.inFlight)
        #expect(loop.toppedUp() == .apply)
        #expect(loop.applied(stopRequested: false) == .poll)
    }

    @Test("an empty poll waits for the batch in flight; a daemon then polls again, a run until idle checks the end")
    func emptyPolls() {
        var daemon = BatchLoop(untilIdle: false, pauses: false)
        _ = daemon.polled(messages: 10)
        _ = daemon.prepared()
        _ = daemon.applied(stopRequested: false)
        #expect(daemon.polled(messages: 0) == .awaitCommit)
        #expect(daemon.committed() == .poll)
        #expect(daemon.polled(messages: 0) == .poll, "nothing in flight, nothing to wait for")

        var batch = BatchLoop(untilIdle: true, pauses: false)
        _ = batch.polled(messages: 10)
        _ = batch.prepared()
        _ = batch.applied(stopRequested: false)
        #expect(batch.polled(messages: 0) == .awaitCommit, "the end is checked only with nothing in flight")
        #expect(batch.committed() == .checkIdle)
        #expect(batch.checkedIdle(caughtUp: false) == .poll)
        #expect(batch.polled(messages: 0) == .checkIdle)
        #expect(batch.checkedIdle(caughtUp: true) == .finish(.idle))
    }

    @Test("with pauses, each batch commits before the pause; a stop asked for meanwhile skips it")
    func pauses() {
        var loop = BatchLoop(untilIdle: false, pauses: true)
        _ = loop.polled(messages: 5)
        _ = loop.prepared()
        #expect(loop.applied(stopRequested: false) == .awaitCommit)
        #expect(loop.committed() == .pause)
        #expect(loop.paused() == .poll)
        _ = loop.polled(messages: 5)
        #expect(loop.prepared() == .apply, "the pause came after the commit: nothing is in flight")
        #expect(loop.applied(stopRequested: true) == .poll, "no pause after a stop")
        #expect(loop.stopRequested() == .finish(.stopped))
    }

    @Test("a stop ends the loop before its next poll, with the batch in flight still awaited by the worker")
    func stop() {
        var loop = BatchLoop(untilIdle: true, pauses: false)
        _ = loop.polled(messages: 3)
        _ = loop.prepared()
        _ = loop.applied(stopRequested: false)
        #expect(loop.stopRequested() == .finish(.stopped))
        #expect(loop.inFlight, "finish waits for it")
    }
}
