import JumpService
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

private final class ProblemBox: @unchecked Sendable {
    var value: String?
}
