import JumpEvents

/// Bounds beyond which a figure is shown to staff as "to check" (`por verificar`): an event can be valid and still
/// implausible (1 planned job for USD 2.5 billion). The digest configuration's `plausibility` sets them.
package struct PlausibilityBounds: Sendable, Codable, Equatable {
    /// The most US dollars per job (planned or created) an expansion may claim; default 5,000,000.
    package var maximumUsdPerJob: Int64 = 5_000_000
    /// The most jobs one expansion may plan or create; default 50,000.
    package var maximumJobs: Int64 = 50_000
    /// The most US dollars one expansion or investment may state; default 50,000,000,000.
    package var maximumUsd: Int64 = 50_000_000_000

    /// The defaults.
    package init() {}

    /// Bounds; a missing one takes its default.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PlausibilityBounds()
        maximumUsdPerJob =
            try container.decodeIfPresent(Int64.self, forKey: .maximumUsdPerJob) ?? defaults.maximumUsdPerJob
        maximumJobs = try container.decodeIfPresent(Int64.self, forKey: .maximumJobs) ?? defaults.maximumJobs
        maximumUsd = try container.decodeIfPresent(Int64.self, forKey: .maximumUsd) ?? defaults.maximumUsd
    }

    /// What to check in an event's figures, in `language`, or `nil` when they are within the bounds:
    /// `por verificar: USD 2,500 millones por empleo` / `to check: $2.5 billion per job`.
    package func concerns(_ event: JumpEvent, language: DigestLanguage) -> String? {
        let spanish = language == .es
        var concerns: [String] = []
        func check(jobs: Int64, cents: Int64) {
            let dollars = cents / 100
            if jobs > maximumJobs {
                concerns.append(
                    spanish
                        ? "\(DigestText.number(jobs)) empleos en una sola expansión"
                        : "\(DigestText.number(jobs)) jobs in one expansion")
            }
            if dollars > maximumUsd {
                concerns.append(
                    DigestText.dollars(cents, language: language)
                        + (spanish ? " en un solo anuncio" : " in one announcement"))
            }
            if jobs > 0, dollars / jobs > maximumUsdPerJob {
                concerns.append(
                    DigestText.dollars(cents / jobs, language: language) + (spanish ? " por empleo" : " per job"))
            }
        }
        /// A figure stated as zero may be a placeholder for one not disclosed (which is left out, not zero).
        func statedZero(jobs: Int64?, cents: Int64?) {
            switch (jobs == 0, cents == 0) {
            case (true, true): concerns.append(spanish ? "0 empleos y USD 0 declarados" : "0 jobs and $0 stated")
            case (true, false): concerns.append(spanish ? "0 empleos declarados" : "0 jobs stated")
            case (false, true): concerns.append(spanish ? "USD 0 declarados" : "$0 stated")
            case (false, false): break
            }
        }
        switch event.payload {
        case .expansionAnnounced(let expansion):
            statedZero(jobs: expansion.plannedJobs, cents: expansion.plannedInvestmentUsdCents)
            check(jobs: expansion.plannedJobs ?? 0, cents: expansion.plannedInvestmentUsdCents ?? 0)
        case .expansionCompleted(let completed):
            statedZero(jobs: completed.actualJobs, cents: completed.actualInvestmentUsdCents)
            check(jobs: completed.actualJobs, cents: completed.actualInvestmentUsdCents)
        case .investmentAnnounced(let investment):
            check(jobs: 0, cents: investment.amountUsdCents)
        default:
            break
        }
        guard !concerns.isEmpty else { return nil }
        return (spanish ? "por verificar: " : "to check: ") + concerns.joined(separator: "; ")
    }

    /// What is wrong with the bounds, each as `plausibility.key: problem`.
    func problems() -> [String] {
        [("maximumUsdPerJob", maximumUsdPerJob), ("maximumJobs", maximumJobs), ("maximumUsd", maximumUsd)]
            .filter { $0.1 <= 0 }.map { "plausibility.\($0.0): \($0.1) must be 1 or more" }
    }
}
