/// One result slot per iteration of a parallel loop (`DispatchQueue.concurrentPerform`).
///
/// `@unchecked Sendable`: each slot is written by exactly one iteration, and read only after
/// `concurrentPerform` returns, which orders every write before every read.
final class ParallelResults<Value>: @unchecked Sendable {
    private var slots: [Value?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: Value) { slots.withUnsafeMutableBufferPointer { $0[index] = value } }

    var values: [Value] { slots.map { $0! } }
}
