import Foundation

/// When an audience's windows close: every N minutes (aligned to the clock: every 60 minutes closes on the
/// hour), or daily at a local time in the audience's time zone. Daily windows follow daylight-saving changes:
/// a window is 23 or 25 hours long across one, and a time that does not exist that day (inside a spring-forward
/// gap) closes at the same distance past the gap.
package enum DigestSchedule: Sendable, Equatable, Codable {
    /// Windows of this many minutes.
    case every(minutes: Int)
    /// One window a day, closing at this local hour and minute.
    case daily(hour: Int, minute: Int)

    private enum CodingKeys: String, CodingKey { case everyMinutes, dailyAt }

    /// Decodes `{"everyMinutes": 60}` or `{"dailyAt": "08:00"}`.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let minutes = try container.decodeIfPresent(Int.self, forKey: .everyMinutes) {
            guard (1...10_080).contains(minutes) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .everyMinutes, in: container, debugDescription: "\(minutes) is not 1 to 10080 minutes")
            }
            self = .every(minutes: minutes)
        } else if let time = try container.decodeIfPresent(String.self, forKey: .dailyAt) {
            let parts = time.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let hour = Int(parts[0]),
                let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
            else {
                throw DecodingError.dataCorruptedError(
                    forKey: .dailyAt, in: container, debugDescription: "\"\(time)\" is not a local time HH:MM")
            }
            self = .daily(hour: hour, minute: minute)
        } else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a schedule needs \"everyMinutes\" or \"dailyAt\""))
        }
    }

    /// Encodes it the way it is decoded.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .every(let minutes): try container.encode(minutes, forKey: .everyMinutes)
        case .daily(let hour, let minute):
            try container.encode(
                "\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute)", forKey: .dailyAt)
        }
    }

    /// A human description (`every 60 min`, `daily at 08:00 America/Denver`).
    package func describe(timeZone: String) -> String {
        switch self {
        case .every(let minutes): "every \(minutes) min"
        case .daily(let hour, let minute):
            "daily at \(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute) \(timeZone)"
        }
    }
}

/// Window boundaries of a schedule in a time zone, in milliseconds since 1970 (UTC).
package struct WindowClock: Sendable {
    /// The schedule.
    package let schedule: DigestSchedule
    /// The calendar of the audience's time zone.
    private let calendar: Calendar

    /// The clock of `schedule` in `timeZone`.
    package init(schedule: DigestSchedule, timeZone: TimeZone) {
        self.schedule = schedule
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The first boundary strictly after `time`.
    package func boundary(after time: Int64) -> Int64 {
        switch schedule {
        case .every(let minutes):
            let length = Int64(minutes) * 60_000
            return (time.floorDivided(by: length) + 1) * length
        case .daily:
            var day = localDay(of: time)
            while true {
                let candidate = closing(on: day)
                if candidate > time { return candidate }
                // A Gregorian calendar always has a next day; the fallback only keeps the loop going without a trap.
                day = calendar.date(byAdding: .day, value: 1, to: day) ?? day.addingTimeInterval(86_400)
            }
        }
    }

    /// The last boundary at or before `time`: the start of the window that contains it.
    package func boundary(atOrBefore time: Int64) -> Int64 {
        switch schedule {
        case .every(let minutes):
            let length = Int64(minutes) * 60_000
            return time.floorDivided(by: length) * length
        case .daily:
            var day = localDay(of: time)
            while true {
                let candidate = closing(on: day)
                if candidate <= time { return candidate }
                day = calendar.date(byAdding: .day, value: -1, to: day) ?? day.addingTimeInterval(-86_400)
            }
        }
    }

    /// Noon of the local day containing `time` (noon is never inside a daylight-saving change).
    private func localDay(of time: Int64) -> Date {
        let date = Date(timeIntervalSince1970: Double(time) / 1000)
        var components = calendar.dateComponents([.year, .month, .day], from: date)
        components.hour = 12
        return calendar.date(from: components) ?? date
    }

    /// The closing instant on the local day of `noon`.
    private func closing(on noon: Date) -> Int64 {
        guard case .daily(let hour, let minute) = schedule else { return 0 }
        var components = calendar.dateComponents([.year, .month, .day], from: noon)
        components.hour = hour
        components.minute = minute
        return Int64(((calendar.date(from: components) ?? noon).timeIntervalSince1970 * 1000).rounded())
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
