import Foundation
import JumpService
import JumpWorker
import Testing

/// `/readyz` says whether the store is writable from the workers' own latest write, never by taking the lock.
@Suite("Readiness from the latest write")
struct ReadinessTests {
    @Test("a failed latest write makes the daemon not ready, with the reason; a later success makes it ready")
    func storeProblem() {
        let problem = ProblemBox()
        let checks = HealthChecks(workers: { [] }, storeProblem: { problem.value }, maxLag: 10)
        #expect(checks.readiness().status == "ok")
        problem.value = "disk I/O error"
        #expect(checks.readiness().status == "failing")
        #expect(checks.readiness().reasons == ["store not writable: disk I/O error"])
        problem.value = nil
        #expect(checks.readiness().status == "ok")
    }
}

/// Moved events are a note for the operator, not a readiness failure: they are applied in their partition.
@Suite("Readiness and misplaced events")
struct MisplacedNoteTests {
    @Test("a misplaced note leaves the daemon ready and travels in the report")
    func misplacedNote() throws {
        var status = WorkerStatus(role: "state", assigned: ["jump.events[0]"], lag: 0, sinceLastPollMs: 5)
        status.misplaced = "3 events arrived in a partition their subject does not belong to and were moved"
        let noted = status
        let checks = HealthChecks(workers: { [noted] }, storeProblem: { nil }, maxLag: 10)
        let report = checks.readiness()
        #expect(report.status == "ok" && report.reasons.isEmpty)
        #expect(report.workers.first?.misplaced == status.misplaced)
        let text = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(text.contains("\"misplaced\":\"3 events arrived"))
        status.misplaced = nil
        let plain = status
        let quiet = String(
            decoding: try JSONEncoder().encode(
                HealthChecks(workers: { [plain] }, storeProblem: { nil }, maxLag: 10).readiness()), as: UTF8.self)
        #expect(!quiet.contains("misplaced"))
    }
}

private final class ProblemBox: @unchecked Sendable {
    var value: String?
}
