/// The arithmetic rule for running totals (README, "Totals that cannot overflow").
///
/// A total of cents or jobs is an `Int64`. Adding to it never traps: a sum past `Int64.max` *saturates* at
/// `Int64.max` and stays there (a later subtraction cannot bring back a figure that was lost), and that value
/// means "at least this much; the exact figure overflowed". The fold records an anomaly (`total-saturated`)
/// on the event that saturated a total, readers show a saturated figure as such, and ``RunningTotals`` (as the
/// SQL triggers of migrations v4 to v5 did) applies the same rule.
package enum SaturatingTotal {
    /// The value a saturated total holds.
    package static let saturated = Int64.max

    /// `total + amount`, saturated at ``saturated``; a saturated total stays saturated.
    package static func adding(_ total: Int64, _ amount: Int64) -> Int64 {
        if total == saturated || amount == saturated { return saturated }
        let (sum, overflow) = total.addingReportingOverflow(amount)
        if overflow { return amount < 0 ? Int64.min + 1 : saturated }
        return sum
    }

    /// `total - amount`; a saturated total stays saturated.
    package static func subtracting(_ total: Int64, _ amount: Int64) -> Int64 {
        if total == saturated { return saturated }
        let (difference, overflow) = total.subtractingReportingOverflow(amount)
        return overflow ? (amount > 0 ? Int64.min + 1 : saturated) : difference
    }

    /// Whether `value` is a saturated total.
    package static func isSaturated(_ value: Int64) -> Bool { value == saturated }
}

extension Int64 {
    /// `self + other` under the rule of ``SaturatingTotal``.
    package func saturatingAdding(_ other: Int64) -> Int64 { SaturatingTotal.adding(self, other) }
}

extension Int {
    /// `self + other`, stopping at `Int.max` (counts of rows never get there; this only keeps them from trapping).
    package func saturatingAdding(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? Int.min : Int.max) : sum
    }
}
