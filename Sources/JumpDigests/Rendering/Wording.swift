import Foundation
import JumpEvents

/// The language rules digests follow in `es` (Mexican Spanish) and `en` (US English), one function per rule.
/// `Docs/digest-wording.md` states each rule with its examples, and `WordingTests` checks each one.
///
/// These are ours rather than Foundation's: Foundation's formatters on Linux depend on the ICU data the toolchain
/// ships, and a digest must read the same on every machine, so month names, quarters and plural rules are tables
/// here (CLDR's rules for these two languages: the singular for exactly one).
package enum Wording {
    /// A count and its noun, singular for exactly one: `1 anuncio`, `2 anuncios`, `0 anuncios`; numbers with
    /// thousands separators (`1,383 empleos`).
    package static func counted(_ count: Int64, _ one: String, _ other: String) -> String {
        "\(DigestText.number(count)) \(count == 1 ? one : other)"
    }

    /// A count as running text writes it: one to nine in words (AP style, and Spanish usage, where one agrees
    /// with its noun: `una novedad`, `un anuncio`), larger counts and zero in figures: `siete`, `seven`, `12`.
    package static func spelled(_ count: Int64, language: DigestLanguage, feminine: Bool = true) -> String {
        let spanish = [feminine ? "una" : "un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"]
        let english = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        guard (1...9).contains(count) else { return DigestText.number(count) }
        return (language == .es ? spanish : english)[Int(count) - 1]
    }

    /// A count in running text and its noun: `una anunciada`, `un anuncio`, `three completed`, `12 anuncios`.
    package static func countedInWords(
        _ count: Int64, _ one: String, _ other: String, language: DigestLanguage, feminine: Bool = true
    ) -> String {
        "\(spelled(count, language: language, feminine: feminine)) \(count == 1 ? one : other)"
    }

    /// A `YYYY-MM-DD` date written out: `8 de noviembre de 2023`, `Nov. 8, 2023` (AP style); anything else
    /// unchanged.
    package static func date(_ text: String, language: DigestLanguage) -> String {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return text }
        return language == .es
            ? "\(day) de \(spanishMonths[month - 1]) de \(year)"
            : "\(apMonths[month - 1]) \(day), \(year)"
    }

    /// Milliseconds since 1970 at the start (UTC) of a `YYYY-MM-DD` day, or `nil` for anything else.
    static func milliseconds(ofDay text: String) -> Int64? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), UTC.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468) * 86_400_000
    }

    /// A period (`2023`, `2023-Q4`) in words: `2023`, `el cuarto trimestre de 2023`; `2023`, `Q4 2023`. Text that is
    /// not a period is returned unchanged.
    package static func period(_ text: String, language: DigestLanguage) -> String {
        let parts = text.split(separator: "-")
        guard let year = parts.first.flatMap({ Int($0) }) else { return text }
        guard parts.count == 2 else { return parts.count == 1 ? String(year) : text }
        guard parts[1].count == 2, parts[1].first == "Q", let quarter = Int(parts[1].dropFirst()),
            (1...4).contains(quarter)
        else { return text }
        return language == .es
            ? "el \(["primer", "segundo", "tercer", "cuarto"][quarter - 1]) trimestre de \(year)"
            : "the \(["first", "second", "third", "fourth"][quarter - 1]) quarter of \(year)"
    }

    /// `en` followed by a place, with the article a Spanish reader expects before an institution's name: `en la
    /// Secretaría de Relaciones Exteriores`, `en el Consulado General…`; a city or a name with its own article as is.
    package static func inPlace(_ name: String) -> String {
        // Mexico's capital takes its article (`en la Ciudad de México`).
        if name.hasPrefix("Ciudad de México") { return "en la \(name)" }
        let first = name.split(separator: " ").first.map(String.init) ?? ""
        if feminineInstitutions.contains(first) { return "en la \(name)" }
        if masculineInstitutions.contains(first) { return "en el \(name)" }
        return "en \(name)"
    }

    /// An institution's name with the article a Spanish reader expects (`la Secretaría de Relaciones Exteriores`,
    /// `el Gobierno de Utah`); another name as it is.
    package static func withArticle(_ name: String) -> String {
        let first = name.split(separator: " ").first.map(String.init) ?? ""
        if feminineInstitutions.contains(first) { return "la \(name)" }
        if masculineInstitutions.contains(first) { return "el \(name)" }
        return name
    }

    /// The text with its first letter in upper case (`La Secretaría…` at the start of a sentence).
    package static func capitalized(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// A place and its city, the city left out when the name already holds it (`Consulado General de México en Salt
    /// Lake City`, not `…, Salt Lake City`).
    package static func place(_ name: String, city: String) -> String {
        name.localizedLowercaseContains(city) ? name : "\(name), \(city)"
    }

    /// Names joined as a reader lists them: `A, B y C`, `A, B and C`.
    package static func list(_ names: [String], language: DigestLanguage) -> String {
        guard names.count > 1, let last = names.last else { return names.first ?? "" }
        // Spanish writes "e" for "y" before a word that starts with the sound i (Italia, Hidalgo; not hielo).
        let lowered = last.lowercased()
        let sound =
            lowered.hasPrefix("i") || lowered.hasPrefix("í") || (lowered.hasPrefix("hi") && !lowered.hasPrefix("hie"))
        let and = language == .es ? (sound ? " e " : " y ") : " and "
        return names.dropLast().joined(separator: ", ") + and + last
    }

    /// The possessive of a name in English: `Zion Labs's` is `Zion Labs'`.
    package static func possessive(_ name: String) -> String { name.hasSuffix("s") ? "\(name)’" : "\(name)’s" }

    private static let spanishMonths = [
        "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre",
        "diciembre",
    ]
    private static let feminineInstitutions: Set<String> = [
        "Secretaría", "Embajada", "Cámara", "Universidad", "Oficina", "Cancillería", "Presidencia", "Legislatura",
        "Asamblea", "Casa", "Sala", "Residencia", "Junta", "Comisión", "Dirección", "Agencia",
    ]
    private static let masculineInstitutions: Set<String> = [
        "Consulado", "Gobierno", "Palacio", "Capitolio", "Congreso", "Senado", "Instituto", "Centro", "Salón",
        "Museo", "Ayuntamiento", "Club", "Hotel", "Banco", "Consejo", "Departamento",
    ]
}

extension String {
    fileprivate func localizedLowercaseContains(_ other: String) -> Bool {
        !other.isEmpty && lowercased().contains(other.lowercased())
    }
}

/// Names for the codes events carry (regions, countries, series, sectors) in each language: built-in for Utah,
/// Mexico and its states, the JUMP series and common sectors; the digest configuration's `glossary` adds or replaces
/// entries. A code without a name is shown as given.
package struct Glossary: Sendable, Equatable {
    /// Names by code, then by language.
    package var names: [String: [String: String]]

    /// The built-in names, with `entries` added or replacing them.
    package init(adding entries: [String: [String: String]] = [:]) {
        names = Self.builtIn.merging(entries) { builtIn, given in builtIn.merging(given) { _, given in given } }
    }

    /// The built-in names only.
    package static let standard = Glossary()

    /// The name of `code` in `language`, or `code` itself.
    package func name(_ code: String, language: DigestLanguage) -> String {
        names[code]?[language.rawValue] ?? names[code.lowercased()]?[language.rawValue] ?? code
    }

    static let builtIn: [String: [String: String]] = {
        var names: [String: [String: String]] = [
            // Institutions, places and programmes in event text, by exact match: each reader sees the name in
            // their language.
            "Secretaría de Relaciones Exteriores": ["en": "Mexico's Foreign Ministry"],
            "Ciudad de México": ["en": "Mexico City"], "Mexico City": ["es": "Ciudad de México"],
            "State of Utah": ["es": "Gobierno de Utah", "en": "the state of Utah"],
            "Utah State Capitol": ["es": "Capitolio del Estado de Utah", "en": "the Utah State Capitol"],
            "Secretaría de Economía": ["en": "Mexico's Economy Ministry (SE)"],
            // Sources of figures, and the notes they give with them.
            "Preliminary figure.": ["es": "cifra preliminar", "en": "preliminary"],
            "Mexican Foreign Ministry press release": [
                "es": "comunicado de la SRE", "en": "Mexico's Foreign Ministry news release",
            ],
            "U.S. Census Bureau": ["es": "Oficina del Censo de EE. UU.", "en": "U.S. Census Bureau"],
            // AP writes a hyphen, not an en dash, between the two names.
            "Joint Utah–Mexico Partnership (JUMP)": [
                "es": "Asociación Conjunta Utah-México (JUMP)", "en": "Joint Utah-Mexico Partnership (JUMP)",
            ],
            "Joint Utah-Mexico Partnership (JUMP)": ["es": "Asociación Conjunta Utah-México (JUMP)"],
            // Roles of meeting participants, as a reader names them.
            "Foreign Secretary": ["es": "canciller", "en": "Foreign Secretary"],
            "Governor": ["es": "gobernador", "en": "Gov."],
            "Governor | State of Utah": ["es": "gobernador de Utah", "en": "Utah Gov."],
            "Executive Director | Utah Governor's Office of Economic Opportunity": [
                "es": "director ejecutivo de la Oficina de Oportunidades Económicas del Gobernador de Utah",
                "en": "executive director of the Governor's Office of Economic Opportunity",
            ],
            "Consul General": ["es": "cónsul general", "en": "Consul General"],
            "Executive Director": ["es": "director ejecutivo", "en": "Executive Director"],
            "Consulado General de México en Salt Lake City": [
                "en": "the Consulate General of Mexico in Salt Lake City"
            ],
            "US-UT": ["es": "Utah", "en": "Utah"], "US": ["es": "Estados Unidos", "en": "the United States"],
            "MX": ["es": "México", "en": "Mexico"],
            "mexico-utah-trade": ["es": "comercio entre México y Utah", "en": "Mexico-Utah trade"],
            "mexican-firms-in-utah": ["es": "empresas mexicanas en Utah", "en": "Mexican firms in Utah"],
            "utah-firms-in-mexico": ["es": "empresas de Utah en México", "en": "Utah firms in Mexico"],
            "aerospace": ["es": "industria aeroespacial", "en": "aerospace"],
            "food processing": ["es": "procesamiento de alimentos", "en": "food processing"],
            "software": ["es": "software", "en": "software"],
            "medical devices": ["es": "dispositivos médicos", "en": "medical devices"],
            "steel fabrication": ["es": "fabricación de acero", "en": "steel fabrication"],
            "logistics": ["es": "logística", "en": "logistics"], "energy": ["es": "energía", "en": "energy"],
            "textiles": ["es": "textiles", "en": "textiles"],
            "manufacturing": ["es": "manufactura", "en": "manufacturing"],
            "agriculture": ["es": "agricultura", "en": "agriculture"], "mining": ["es": "minería", "en": "mining"],
            "automotive": ["es": "industria automotriz", "en": "automotive"],
            "life sciences": ["es": "ciencias de la vida", "en": "life sciences"],
            "financial services": ["es": "servicios financieros", "en": "financial services"],
        ]
        let states: [(String, String, String?)] = [
            ("AGU", "Aguascalientes", nil), ("BCN", "Baja California", nil), ("BCS", "Baja California Sur", nil),
            ("CAM", "Campeche", nil), ("CHP", "Chiapas", nil), ("CHH", "Chihuahua", nil),
            ("CMX", "Ciudad de México", "Mexico City"), ("COA", "Coahuila", nil), ("COL", "Colima", nil),
            ("DUR", "Durango", nil), ("GUA", "Guanajuato", nil), ("GRO", "Guerrero", nil), ("HID", "Hidalgo", nil),
            ("JAL", "Jalisco", nil), ("MEX", "Estado de México", "State of Mexico"), ("MIC", "Michoacán", nil),
            ("MOR", "Morelos", nil), ("NAY", "Nayarit", nil), ("NLE", "Nuevo León", nil), ("OAX", "Oaxaca", nil),
            ("PUE", "Puebla", nil), ("QUE", "Querétaro", nil), ("ROO", "Quintana Roo", nil),
            ("SLP", "San Luis Potosí", nil), ("SIN", "Sinaloa", nil), ("SON", "Sonora", nil), ("TAB", "Tabasco", nil),
            ("TAM", "Tamaulipas", nil), ("TLA", "Tlaxcala", nil), ("VER", "Veracruz", nil), ("YUC", "Yucatán", nil),
            ("ZAC", "Zacatecas", nil),
        ]
        for (code, spanish, english) in states { names["MX-\(code)"] = ["es": spanish, "en": english ?? spanish] }
        return names
    }()
}

extension Wording {
    /// A moment's local date and time in a time zone.
    struct LocalTime: Equatable {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        /// The zone's abbreviation at that moment (`MST`, `MDT`).
        var zone: String

        init(milliseconds: Int64, timeZone: String) {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy M d H m zzz"
            let parts = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
                .split(separator: " ").map(String.init)
            year = Int(parts[0]) ?? 1970
            month = Int(parts[1]) ?? 1
            day = Int(parts[2]) ?? 1
            hour = Int(parts[3]) ?? 0
            minute = Int(parts[4]) ?? 0
            zone = parts.count > 5 ? parts[5] : "UTC"
        }

        var sameDay: (Int, Int, Int) { (year, month, day) }
    }

    /// A date in a digest's dateline: `29 de noviembre de 2026`; `Nov. 29, 2026` (AP style: March to July spelled
    /// out, the other months abbreviated).
    static func dateline(_ time: LocalTime, language: DigestLanguage) -> String {
        language == .es
            ? "\(time.day) de \(spanishMonths[time.month - 1]) de \(time.year)"
            : "\(apMonths[time.month - 1]) \(time.day), \(time.year)"
    }

    /// A window in local time: `29 de noviembre de 2026, 07:00–08:00 MST`; `Nov. 29, 2026, 7–8 a.m. MST` (12-hour,
    /// `noon` and `midnight`). A window across days names both; one across a daylight-saving change both zones.
    package static func window(start: Int64, end: Int64, timeZone: String, language: DigestLanguage) -> String {
        let from = LocalTime(milliseconds: start, timeZone: timeZone)
        let to = LocalTime(milliseconds: end, timeZone: timeZone)
        let spanish = language == .es
        func clock(_ time: LocalTime) -> String {
            spanish ? "\(pad(time.hour)):\(pad(time.minute))" : englishClock(time, meridiem: true)
        }
        let zones = from.zone == to.zone ? to.zone : "\(from.zone)/\(to.zone)"
        if from.sameDay == to.sameDay {
            let first =
                spanish || isNoonOrMidnight(from) || isNoonOrMidnight(to) || (from.hour < 12) != (to.hour < 12)
                ? clock(from) : englishClock(from, meridiem: false)
            return "\(dateline(from, language: language)), \(first)–\(clock(to)) \(zones)"
        }
        return spanish
            ? "del \(dateline(from, language: language)), \(clock(from)), al \(dateline(to, language: language)), \(clock(to)) \(zones)"
            : "\(dateline(from, language: language)), \(clock(from)) – \(dateline(to, language: language)), \(clock(to)) \(zones)"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func isNoonOrMidnight(_ time: LocalTime) -> Bool { time.minute == 0 && time.hour % 12 == 0 }

    /// `7 a.m.`, `7:30 p.m.`, `noon`, `midnight`; without the meridiem (`7`) for the first time of a range.
    private static func englishClock(_ time: LocalTime, meridiem: Bool) -> String {
        if time.minute == 0 && time.hour == 12 { return "noon" }
        if time.minute == 0 && time.hour == 0 { return "midnight" }
        let hour = time.hour % 12 == 0 ? 12 : time.hour % 12
        let base = time.minute == 0 ? "\(hour)" : "\(hour):\(pad(time.minute))"
        return meridiem ? base + (time.hour < 12 ? " a.m." : " p.m.") : base
    }

    private static let apMonths = [
        "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.",
    ]
}
