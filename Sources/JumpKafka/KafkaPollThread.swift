import CRdKafka
import Foundation
import Synchronization

/// A dedicated thread that serves a client's main queue (`rd_kafka_poll`), so that delivery reports and error
/// callbacks never run on, or block, Swift's cooperative pool.
final class KafkaPollThread: Sendable {
    private let handle: KafkaClientHandle
    private let isStopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(handle: KafkaClientHandle, name: String) {
        self.handle = handle
        // The thread keeps this object alive until `stop()` ends the loop.
        let thread = Thread { [handle, self] in
            while !self.isStopping.load(ordering: .acquiring) {
                rd_kafka_poll(handle.pointer, 100)
            }
            self.finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Stops the loop and waits for the thread to leave it; later calls return at once.
    func stop() {
        guard !isStopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        rd_kafka_yield(handle.pointer)
        finished.wait()
    }
}
