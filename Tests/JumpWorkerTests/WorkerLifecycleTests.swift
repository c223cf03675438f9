import JumpWorker
import Testing

/// The notifier's and the relay's lifecycle, as a pure value over every transition.
@Suite("Worker lifecycle")
struct WorkerLifecycleTests {
    typealias State = WorkerLifecycle.State

    /// A lifecycle in `state`, reached through the machine's own events.
    static func machine(in state: State) -> WorkerLifecycle {
        var machine = WorkerLifecycle()
        switch state {
        case .idle(stopPending: false): break
        case .idle(stopPending: true): _ = machine.stopRequested()
        case .running: _ = machine.start()
        case .stopping:
            _ = machine.start()
            _ = machine.stopRequested()
        }
        #expect(machine.state == state)
        return machine
    }

    static let states: [State] = [.idle(stopPending: false), .idle(stopPending: true), .running, .stopping]

    @Test(
        "start: runs from idle, returns at once after an early stop, refuses a second start",
        arguments: zip(
            states,
            [
                (WorkerLifecycle.StartAction.run, State.running), (.returnStopped, .idle(stopPending: true)),
                (.alreadyRunning, .running), (.alreadyRunning, .stopping),
            ]))
    func start(from state: State, expected: (WorkerLifecycle.StartAction, State)) {
        var machine = Self.machine(in: state)
        #expect(machine.start() == expected.0)
        #expect(machine.state == expected.1)
    }

    @Test(
        "a stop request: wakes a running loop once, is kept by an idle one",
        arguments: zip(
            states,
            [
                (WorkerLifecycle.StopAction.none, State.idle(stopPending: true)), (.none, .idle(stopPending: true)),
                (.wakeUp, .stopping), (.none, .stopping),
            ]))
    func stop(from state: State, expected: (WorkerLifecycle.StopAction, State)) {
        var machine = Self.machine(in: state)
        #expect(machine.stopRequested() == expected.0)
        #expect(machine.state == expected.1)
    }

    @Test(
        "the loop turns only while running; a stop is seen by retries until it is taken back",
        arguments: zip(states, [(false, false), (false, true), (true, false), (false, true)]))
    func observers(state: State, expected: (continues: Bool, stopWasRequested: Bool)) {
        let machine = Self.machine(in: state)
        #expect(machine.continues == expected.continues)
        #expect(machine.stopWasRequested == expected.stopWasRequested)
    }

    @Test(
        "finishing keeps a stop that came meanwhile; resuming takes back a pending stop, never one under way",
        arguments: zip(
            states,
            [
                (State.idle(stopPending: false), State.idle(stopPending: false)),
                (.idle(stopPending: true), .idle(stopPending: false)), (.idle(stopPending: false), .running),
                (.idle(stopPending: true), .stopping),
            ]))
    func finishAndResume(state: State, expected: (finished: State, resumed: State)) {
        var finished = Self.machine(in: state)
        finished.finished()
        #expect(finished.state == expected.finished)
        var resumed = Self.machine(in: state)
        resumed.resumed()
        #expect(resumed.state == expected.resumed)
    }

    @Test("the relay's day in a run in turn: stopped as the worker ends, resumed to drain, stopped by a signal")
    func relayInTurn() {
        var relay = WorkerLifecycle()
        #expect(relay.start() == .run)
        #expect(relay.stopRequested() == .wakeUp)
        #expect(!relay.continues)
        relay.finished()
        relay.resumed()
        #expect(!relay.stopWasRequested, "the drain runs")
        #expect(relay.stopRequested() == .none)
        #expect(relay.stopWasRequested, "SIGINT ends the drain")
    }
}
