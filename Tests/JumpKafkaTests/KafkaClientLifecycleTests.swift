import JumpTestSupport
import Synchronization
import Testing

@testable import JumpKafka

/// A client's close, as a pure value over every transition: one closer closes, later ones wait for it, sends and
/// polls are served only while open.
@Suite("Kafka client lifecycle")
struct KafkaClientLifecycleTests {
    typealias Lifecycle = KafkaClientLifecycle<Int>

    @Test("open: served; the first close request closes and moves to closing")
    func open() {
        var client = Lifecycle()
        #expect(client.isOpen)
        #expect(client.closeRequested() == .close)
        #expect(!client.isOpen, "nothing new is served while the close runs")
        guard case .closing(let waiters) = client.state else {
            Issue.record("not closing: \(client.state)")
            return
        }
        #expect(waiters.isEmpty)
    }

    @Test("closing: later closers wait, and are all resumed, in order, when the close ends")
    func closing() {
        var client = Lifecycle()
        _ = client.closeRequested()
        #expect(client.closeRequested() == .wait)
        #expect(client.waitForClose(1) == false)
        #expect(client.closeRequested() == .wait)
        #expect(client.waitForClose(2) == false)
        #expect(client.closed() == [1, 2])
        #expect(!client.isOpen)
        guard case .closed = client.state else {
            Issue.record("not closed: \(client.state)")
            return
        }
    }

    @Test("closed: a close request returns at once, a waiter that comes after the end is resumed at once")
    func closed() {
        var client = Lifecycle()
        _ = client.closeRequested()
        #expect(client.closed().isEmpty)
        #expect(client.closeRequested() == .alreadyClosed)
        #expect(client.waitForClose(3) == true)
        #expect(client.closed().isEmpty, "reporting the end twice resumes nobody twice")
    }

    @Test("a second close of a real producer waits for the first, which reports what it could not deliver")
    func producerClosedTwice() async throws {
        let producer = try KafkaProducer(
            configuration: .init(bootstrapServers: ["127.0.0.1:1"]), logger: testLogger)
        let report = Mutex<Result<KafkaDeliveryReport, KafkaError>?>(nil)
        try producer.tryEnqueue(KafkaProducerMessage(topic: "nowhere", key: nil, value: "never acknowledged")) {
            result in report.withLock { $0 = result }
        }
        let first = Task { await producer.close(timeout: .milliseconds(500)) }
        try await eventually("the first close began (sends are refused)") {
            do {
                try producer.tryEnqueue(KafkaProducerMessage(topic: "nowhere", key: nil, value: "probe")) { _ in }
                return false
            } catch {
                return (error as? KafkaError)?.kind == .closed
            }
        }
        let second = await producer.close(timeout: .milliseconds(500))
        #expect(producer.outstandingCount == 0, "the second close returned only once the first had failed the rest")
        #expect(second == 0)
        #expect(await first.value >= 1, "the first close reports what it could not deliver")
        #expect(report.withLock { $0.map { (try? $0.get()) == nil } } == true, "the message got its failed report")
        await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: "nowhere", key: nil, value: "late"))
        }
    }
}
