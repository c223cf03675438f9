import JumpEvents
import JumpState

/// The figures of a digest in each language's house style: numbers, money, changes between periods, and how a
/// source states a figure (``FigureQualifier``).
extension DigestText {
    /// A whole number with thousands separators (`51,000`; Mexico writes it the same way).
    package static func number(_ value: Int64) -> String {
        if SaturatingTotal.isSaturated(value) { return "≥ " + plainNumber(value) }
        return plainNumber(value)
    }

    private static func plainNumber(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// US dollars from cents, rounded for reading, in each language's house style: `USD 1,100 millones`,
    /// `USD 45 millones`, `USD 250,000` (in Mexico `$` means pesos: always `USD`); `$1.1 billion`, `$45 million`,
    /// `$250,000`. No trailing `.0`; a negative amount takes `−`. A saturated total (``SaturatingTotal``) reads
    /// `≥ …`: at least that much.
    /// With `rough` (a figure the source gives as approximate, derived or estimated), millions are whole: `USD 738
    /// millones`, not a tenth the source never stated.
    package static func dollars(_ cents: Int64, language: DigestLanguage, rough: Bool = false) -> String {
        let spanish = language == .es
        if SaturatingTotal.isSaturated(cents) {
            return "≥ " + dollars(cents - 1, language: language)
        }
        let magnitude = (cents / 100).magnitude
        /// In `unit`s: whole for a rough figure in millions (the source gave no more), else to two decimals
        /// without trailing zeros (`47.25`, `12.5`, `45`), as AP and the SRE write amounts.
        func tenths(_ unit: UInt64) -> String {
            let scaled = (magnitude / unit) * 100 + ((magnitude % unit) * 100 + unit / 2) / unit
            if rough, unit == 1_000_000 { return number(Int64((scaled + 50) / 100)) }
            if rough { return tenthsOnly(scaled) }
            let whole = number(Int64(scaled / 100))
            switch scaled % 100 {
            case 0: return whole
            case let fraction where fraction % 10 == 0: return "\(whole).\(fraction / 10)"
            case let fraction: return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
            }
        }
        /// A rough figure in billions keeps one decimal (`about $1.1 billion`).
        func tenthsOnly(_ hundredths: UInt64) -> String {
            let scaled = (hundredths + 5) / 10
            return scaled % 10 == 0 ? number(Int64(scaled / 10)) : "\(number(Int64(scaled / 10))).\(scaled % 10)"
        }
        let amount: String
        let scale: String
        if magnitude >= 999_950_000, !spanish {
            (amount, scale) = (tenths(1_000_000_000), " billion")
        } else if magnitude >= 1_000_000 {
            // Mexican usage counts millions past a thousand (`USD 1,100 millones`), never `mil millones`.
            (amount, scale) = (tenths(1_000_000), spanish ? " millones" : " million")
        } else {
            (amount, scale) = (number(Int64(magnitude)), "")
        }
        let minus = cents < 0 ? "−" : ""
        return spanish ? "USD \(minus)\(amount)\(scale)" : "\(minus)$\(amount)\(scale)"
    }

    /// US dollars from cents, exact, for reports and the console: `1,234,567.89` (`1,234,567` for whole dollars);
    /// a saturated total (``SaturatingTotal``) reads `92,233,720,368,547,758.07 or more (saturated)`.
    package static func exactDollars(_ cents: Int64) -> String {
        let whole = Int64(cents.magnitude / 100)
        let fraction = cents.magnitude % 100
        let text =
            (cents < 0 ? "-" : "") + plainNumber(whole)
            + (fraction == 0 ? "" : "." + (fraction < 10 ? "0" : "") + String(fraction))
        return SaturatingTotal.isSaturated(cents) ? text + " or more (saturated)" : text
    }

    /// A change between two values as a signed percentage in es-MX style (`+49 %`, `−9.2 %`, no trailing `.0`),
    /// or `nil` without a previous value.
    package static func change(from previous: Int64?, to value: Int64) -> String? {
        guard let percent = percentChange(from: previous, to: value) else { return nil }
        return "\(percent.up ? "+" : "−")\(percent.text) %"
    }

    /// A change since an earlier period in words: `+49 % desde 2018`; `up 49% from 2018`, `down 9.2% from 2018`,
    /// `unchanged from 2018`.
    package static func change(
        from previous: Int64?, to value: Int64, since period: String, language: DigestLanguage
    ) -> String? {
        guard let percent = percentChange(from: previous, to: value) else { return nil }
        if language == .es { return "\(percent.up ? "+" : "−")\(percent.text) % desde \(period)" }
        if percent.text == "0" { return "unchanged from \(period)" }
        return "\(percent.up ? "up" : "down") \(percent.text)% from \(period)"
    }

    /// The rounded magnitude of a change in percent (`49`, `9.2`) and its direction.
    private static func percentChange(from previous: Int64?, to value: Int64) -> (text: String, up: Bool)? {
        guard let previous, previous != 0 else { return nil }
        let tenths = ((Double(value) - Double(previous)) / Double(previous.magnitude) * 1000).rounded()
        // Validated figures keep the ratio far below this bound; the clamp keeps any input from trapping.
        let magnitude = Int64(min(tenths.magnitude, 1e15))
        let text = magnitude % 10 == 0 ? number(magnitude / 10) : "\(number(magnitude / 10)).\(magnitude % 10)"
        return (text, tenths >= 0)
    }

    /// A figure as its source states it (``FigureQualifier``): `alrededor de USD 1,100 millones`, `más de 51,000`,
    /// `alrededor de USD 738 millones (cifra calculada, no reportada)`; `about $1.1 billion`, `more than 51,000`. A
    /// figure without a qualifier is exact and reported, and reads as it is.
    package static func stated(_ figure: String, _ qualifier: FigureQualifier?, language: DigestLanguage) -> String {
        guard let qualifier else { return figure }
        let spanish = language == .es
        let prefix: String =
            switch (qualifier.approximation, spanish) {
            case (.about?, true): "alrededor de "
            case (.moreThan?, true): "más de "
            case (.atLeast?, true): "al menos "
            case (.lessThan?, true): "menos de "
            case (.about?, false): "about "
            case (.moreThan?, false): "more than "
            case (.atLeast?, false): "at least "
            case (.lessThan?, false): "less than "
            case (nil, _): ""
            }
        let suffix: String =
            switch (qualifier.basis, spanish) {
            case (.derived?, true): " (cifra calculada, no reportada)"
            case (.estimated?, true): " (estimado)"
            case (.assumed?, true): " (supuesto)"
            case (.notStated?, true): " (no indicado)"
            case (.derived?, false): " (calculated, not reported)"
            case (.estimated?, false): " (estimate)"
            case (.assumed?, false): " (assumed)"
            case (.notStated?, false): " (not stated)"
            case (.reported?, _), (nil, _): ""
            }
        return prefix + figure + suffix
    }

    /// `LABEL en PERIOD: FIGURE`, or, when the source states no period, `LABEL: FIGURE (la fuente no indica el año;
    /// se toma 2022 como referencia)` / `(year not stated; assumed to be 2022)`.
    static func inPeriod(
        _ label: String, _ figure: String, _ period: String, _ qualifier: FigureQualifier?, language: DigestLanguage
    ) -> String {
        let spanish = language == .es
        let words = Wording.period(period, language: language)
        if qualifier?.basis == .notStated {
            return "\(label): \(figure) (\(periodNotStated(words, language: language)))"
        }
        return "\(label) \(spanish ? "en" : "in") \(words)\(statedWhen(qualifier, period: true, language: language)): "
            + figure
    }

    /// `año no indicado; se toma 2022 como referencia` / `year not stated; assumed to be 2022`.
    static func periodNotStated(_ words: String, language: DigestLanguage) -> String {
        language == .es
            ? "año no indicado; se toma \(words) como referencia" : "year not stated; assumed to be \(words)"
    }

    /// Whether a figure is to be shown rounded: the source gives it as approximate, derived or estimated.
    package static func isRough(_ qualifier: FigureQualifier?) -> Bool {
        qualifier?.approximation != nil || qualifier?.basis == .derived || qualifier?.basis == .estimated
    }

    /// What a qualifier says of a date or a period, to follow it: ` (fecha estimada)`, ` (año no indicado)`;
    /// ` (date assumed)`, ` (year not stated)`; empty when it is as reported.
    package static func statedWhen(_ qualifier: FigureQualifier?, period: Bool, language: DigestLanguage) -> String {
        let spanish = language == .es
        switch (qualifier?.basis, period) {
        case (.assumed?, false), (.estimated?, false):
            return spanish ? " (fecha estimada)" : " (date assumed)"
        case (.notStated?, false): return spanish ? " (fecha no indicada)" : " (date not stated)"
        case (.assumed?, true), (.estimated?, true): return spanish ? " (año estimado)" : " (year assumed)"
        case (.notStated?, true): return spanish ? " (año no indicado)" : " (year not stated)"
        case (.derived?, _): return spanish ? " (derivado)" : " (derived)"
        default: return ""
        }
    }
}
