import Foundation

/// The package's one RFC 3339 formatter, in UTC: event `time` stamps and log lines to the millisecond
/// (`2026-11-29T04:48:35.123Z`), digest ids and windows to the second (`2026-11-29T14:00:00Z`).
package enum RFC3339 {
    /// `milliseconds` since 1970 as RFC 3339 UTC; with `fraction`, to the millisecond.
    package static func utc(milliseconds: Int64, fraction: Bool) -> String {
        let whole = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        var seconds = time_t(whole)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int64, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text =
            "\(pad(Int64(parts.tm_year) + 1900, 4))-\(pad(Int64(parts.tm_mon) + 1))-\(pad(Int64(parts.tm_mday)))T"
            + "\(pad(Int64(parts.tm_hour))):\(pad(Int64(parts.tm_min))):\(pad(Int64(parts.tm_sec)))"
        if fraction { text += "." + pad(milliseconds - whole * 1000, 3) }
        return text + "Z"
    }

    /// `date` as RFC 3339 UTC to the millisecond.
    package static func utc(_ date: Date) -> String {
        utc(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down)), fraction: true)
    }
}
