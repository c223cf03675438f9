import Foundation
import JumpDigests
import JumpEvents
import JumpState
import Testing

/// One test per rule of `Docs/digest-wording.md`.
@Suite("Wording rules (Docs/digest-wording.md)")
struct WordingTests {
    @Test("R1 plurals: the singular for exactly one, in both languages")
    func plurals() {
        #expect(Wording.counted(1, "anuncio", "anuncios") == "1 anuncio")
        #expect(Wording.counted(0, "anuncio", "anuncios") == "0 anuncios")
        #expect(Wording.counted(2, "participante", "participantes") == "2 participantes")
        #expect(Wording.counted(1, "planned job", "planned jobs") == "1 planned job")
        #expect(Wording.counted(1_383, "empleo", "empleos") == "1,383 empleos")
    }

    @Test("R2 dates are written out: 8 de noviembre de 2023, Nov. 8, 2023 (AP: March to July in full)")
    func dates() {
        #expect(Wording.date("2023-11-08", language: .es) == "8 de noviembre de 2023")
        #expect(Wording.date("2023-11-08", language: .en) == "Nov. 8, 2023")
        #expect(Wording.date("2024-06-30", language: .en) == "June 30, 2024")
        #expect(Wording.date("2024-09-02", language: .en) == "Sept. 2, 2024")
        #expect(Wording.date("2024-01-01", language: .es) == "1 de enero de 2024")
        #expect(Wording.date("not a date", language: .es) == "not a date")
        #expect(Wording.date("2023-13-01", language: .en) == "2023-13-01")
    }

    @Test("R3 periods: years as they are, quarters in words")
    func periods() {
        #expect(Wording.period("2022", language: .es) == "2022")
        #expect(Wording.period("2023-Q4", language: .es) == "el cuarto trimestre de 2023")
        #expect(Wording.period("2023-Q1", language: .es) == "el primer trimestre de 2023")
        #expect(Wording.period("2023-Q3", language: .es) == "el tercer trimestre de 2023")
        #expect(Wording.period("2023-Q4", language: .en) == "the fourth quarter of 2023")
        #expect(Wording.period("2023-Q5", language: .en) == "2023-Q5")
    }

    @Test("R4 codes become names: regions, countries, series, sectors; the configuration adds its own")
    func glossary() {
        let names = Glossary.standard
        #expect(names.name("US-UT", language: .es) == "Utah")
        #expect(names.name("MX", language: .es) == "México" && names.name("MX", language: .en) == "Mexico")
        #expect(names.name("MX-NLE", language: .es) == "Nuevo León")
        #expect(names.name("MX-CMX", language: .en) == "Mexico City")
        #expect(names.name("mexico-utah-trade", language: .es) == "comercio entre México y Utah")
        #expect(names.name("food processing", language: .es) == "procesamiento de alimentos")
        #expect(names.name("US-CA", language: .es) == "US-CA", "a code without a name is shown as given")
        let configured = Glossary(adding: ["US-CA": ["es": "California"], "US-UT": ["en": "the State of Utah"]])
        #expect(configured.name("US-CA", language: .es) == "California")
        #expect(configured.name("US-UT", language: .en) == "the State of Utah")
        #expect(configured.name("US-UT", language: .es) == "Utah", "the built-in name of another language stays")
    }

    @Test("R5 Spanish articles before institutions; none before a city")
    func articles() {
        #expect(Wording.inPlace("Secretaría de Relaciones Exteriores") == "en la Secretaría de Relaciones Exteriores")
        #expect(Wording.inPlace("Consulado General de México") == "en el Consulado General de México")
        #expect(Wording.inPlace("Salt Lake City") == "en Salt Lake City")
    }

    @Test("R6 a city already in a place's name is not repeated")
    func noRepeatedCity() {
        #expect(
            Wording.place("Consulado General de México en Salt Lake City", city: "Salt Lake City")
                == "Consulado General de México en Salt Lake City")
        #expect(
            Wording.place("Secretaría de Relaciones Exteriores", city: "Ciudad de México")
                == "Secretaría de Relaciones Exteriores, Ciudad de México")
    }

    @Test("R7 English possessives of names ending in s; lists end with y / and")
    func possessivesAndLists() {
        #expect(Wording.possessive("Wasatch Medical Devices") == "Wasatch Medical Devices’")
        #expect(Wording.possessive("Zion Lab") == "Zion Lab’s")
        #expect(Wording.list(["SRE", "State of Utah"], language: .es) == "SRE y State of Utah")
        #expect(Wording.list(["A", "B", "C"], language: .en) == "A, B and C")
        #expect(Wording.list(["México", "Italia"], language: .es) == "México e Italia")
        #expect(Wording.list(["A"], language: .es) == "A")
    }

    @Test(
        "R8 numbers: thousands with a comma and a decimal point; money rounded for reading, USD always in Spanish, $ in English, no trailing .0, − for minus"
    )
    func numbers() {
        #expect(DigestText.number(966_434) == "966,434")
        #expect(DigestText.dollars(110_000_000_000, language: .es) == "USD 1,100 millones", "never mil millones")
        #expect(DigestText.dollars(110_000_000_000, language: .en) == "$1.1 billion")
        #expect(DigestText.dollars(73_830_000_000, language: .es) == "USD 738.3 millones")
        #expect(DigestText.dollars(4_500_000_000, language: .es) == "USD 45 millones")
        #expect(DigestText.dollars(4_500_000_000, language: .en) == "$45 million")
        #expect(DigestText.dollars(25_000_000, language: .en) == "$250,000")
        #expect(DigestText.dollars(0, language: .es) == "USD 0")
        #expect(DigestText.dollars(-120_000_000, language: .es) == "USD −1.2 millones")
        #expect(DigestText.dollars(-120_000_000, language: .en) == "−$1.2 million")
        #expect(DigestText.dollars(99_996_000_000, language: .en) == "$1 billion", "rounds up into the next unit")
        #expect(DigestText.dollars(73_825_503_356, language: .es, rough: true) == "USD 738 millones", "no false tenth")
        #expect(DigestText.dollars(73_825_503_356, language: .en, rough: true) == "$738 million")
        #expect(DigestText.dollars(110_000_000_000, language: .en, rough: true) == "$1.1 billion")
        #expect(DigestText.isRough(FigureQualifier(basis: .derived)) && !DigestText.isRough(nil))
    }

    @Test("R11 changes: es-MX +49 % desde 2018, −9.2 %; en-US up 49% from 2018, down 9.2%, unchanged")
    func changes() {
        #expect(DigestText.change(from: 100, to: 149, since: "2018", language: .es) == "+49 % desde 2018")
        #expect(DigestText.change(from: 1_000, to: 908, since: "2018", language: .es) == "−9.2 % desde 2018")
        #expect(DigestText.change(from: 100, to: 149, since: "2018", language: .en) == "up 49% from 2018")
        #expect(DigestText.change(from: 1_000, to: 908, since: "2018", language: .en) == "down 9.2% from 2018")
        #expect(DigestText.change(from: 100, to: 100, since: "2018", language: .en) == "unchanged from 2018")
        #expect(DigestText.change(from: nil, to: 100, since: "2018", language: .en) == nil)
        #expect(DigestText.change(from: 0, to: 100, since: "2018", language: .es) == nil)
    }

    @Test(
        "R12 windows and datelines: es 29 de noviembre de 2026, 07:00–08:00 MST; en Nov. 29, 2026, 7–8 a.m. MST (12-hour, noon, midnight, AP months)"
    )
    func windows() {
        func window(_ start: String, _ end: String, _ language: DigestLanguage) -> String {
            Wording.window(
                start: Timestamp.parseUTC(start)!, end: Timestamp.parseUTC(end)!, timeZone: "America/Denver",
                language: language)
        }
        let (start, end) = ("2026-11-29T14:00:00Z", "2026-11-29T15:00:00Z")
        #expect(window(start, end, .es) == "29 de noviembre de 2026, 07:00–08:00 MST")
        #expect(window(start, end, .en) == "Nov. 29, 2026, 7–8 a.m. MST")
        #expect(window("2026-11-29T18:30:00Z", "2026-11-29T19:00:00Z", .en) == "Nov. 29, 2026, 11:30 a.m.–noon MST")
        #expect(
            window("2026-03-29T15:00:00Z", "2026-03-30T15:00:00Z", .en)
                == "March 29, 2026, 9 a.m. – March 30, 2026, 9 a.m. MDT")
        #expect(window("2026-11-29T07:00:00Z", "2026-11-29T08:00:00Z", .en) == "Nov. 29, 2026, midnight–1 a.m. MST")
        #expect(
            window("2026-03-08T08:00:00Z", "2026-03-08T10:00:00Z", .es) == "8 de marzo de 2026, 01:00–04:00 MST/MDT")
    }

    @Test(
        "R13 names in the reader's language: institutions, places and programmes by exact match, topic lists ending in y / and"
    )
    func namesInTheReadersLanguage() {
        let names = Glossary.standard
        #expect(names.name("Secretaría de Relaciones Exteriores", language: .en) == "Mexico's Foreign Ministry")
        #expect(
            names.name("Secretaría de Relaciones Exteriores", language: .es) == "Secretaría de Relaciones Exteriores")
        #expect(names.name("Ciudad de México", language: .en) == "Mexico City")
        #expect(names.name("State of Utah", language: .es) == "Gobierno de Utah")
        #expect(names.name("Utah State Capitol", language: .es) == "Capitolio del Estado de Utah")
        #expect(
            names.name("Joint Utah–Mexico Partnership (JUMP)", language: .es)
                == "Asociación Conjunta Utah-México (JUMP)")
        #expect(names.name("Secretaría de Relaciones Exteriores, Ciudad de México", language: .en) != "Mexico City")
        let added = Glossary(adding: ["Casa de Utah": ["en": "Utah House"]])
        #expect(added.name("Casa de Utah", language: .en) == "Utah House")
        #expect(
            Wording.list(["economía", "migración", "seguridad"], language: .es) == "economía, migración y seguridad")
    }

    @Test(
        "R17 figures as their source states them: about / more than / at least / less than, derived, estimate, assumed, not stated; a date or a year assumed or not stated"
    )
    func statedFigures() {
        func stated(
            _ approximation: FigureQualifier.Approximation?, _ basis: FigureQualifier.Basis?, _ language: DigestLanguage
        )
            -> String
        {
            DigestText.stated("X", FigureQualifier(approximation: approximation, basis: basis), language: language)
        }
        #expect(stated(.about, nil, .es) == "alrededor de X" && stated(.about, nil, .en) == "about X")
        #expect(stated(.moreThan, nil, .es) == "más de X" && stated(.moreThan, nil, .en) == "more than X")
        #expect(stated(.atLeast, nil, .es) == "al menos X" && stated(.atLeast, nil, .en) == "at least X")
        #expect(stated(.lessThan, nil, .es) == "menos de X" && stated(.lessThan, nil, .en) == "less than X")
        #expect(stated(.about, .derived, .es) == "alrededor de X (cifra calculada, no reportada)")
        #expect(
            stated(nil, .derived, .en) == "X (calculated, not reported)"
                && stated(nil, .estimated, .en) == "X (estimate)")
        #expect(stated(nil, .estimated, .es) == "X (estimado)" && stated(nil, .reported, .es) == "X")
        #expect(DigestText.stated("X", nil, language: .en) == "X", "no qualifier: exact and reported")
        let assumed = FigureQualifier(basis: .assumed)
        let notStated = FigureQualifier(basis: .notStated)
        #expect(DigestText.statedWhen(assumed, period: false, language: .es) == " (fecha estimada)")
        #expect(DigestText.statedWhen(assumed, period: false, language: .en) == " (date assumed)")
        #expect(DigestText.statedWhen(notStated, period: true, language: .es) == " (año no indicado)")
        #expect(DigestText.statedWhen(notStated, period: true, language: .en) == " (year not stated)")
        #expect(DigestText.statedWhen(nil, period: true, language: .en) == "")
    }

    @Test(
        "R20 a planned figure the event leaves out is not disclosed, never 0, in the item, its news and the cumulative figures"
    )
    func undisclosedFigures() async throws {
        let cases: [(jobs: Int?, cents: Int?, es: String, en: String)] = [
            (
                nil, nil, "(de México a Utah); no se dieron a conocer cifras de empleo ni de inversión",
                "(Mexico to Utah); jobs and investment not disclosed"
            ),
            (
                180, nil, ": 180 empleos previstos; no se dio a conocer la inversión",
                ": 180 planned jobs; investment not disclosed"
            ),
            (
                nil, 4_500_000_000, ": USD 45 millones de inversión; no se dieron a conocer cifras de empleo",
                ": a $45 million investment; jobs not disclosed"
            ),
        ]
        for example in cases {
            var fixture = try DigestFixture()
            let items = try await fixture.fold([try announcement(jobs: example.jobs, cents: example.cents)])
            let item = try NotificationItem(json: items[0].item)
            #expect(DigestText.headline(item, language: .es).contains(example.es))
            #expect(DigestText.headline(item, language: .en).contains(example.en))
            #expect(!DigestText.headline(item, language: .en).contains("$0"))
            if example.jobs == nil {
                #expect(DigestText.news(item, language: .en) == "Aceros del Norte to expand in Ogden")
            }
            let last = try NotificationItem(json: items[items.count - 1].item)
            let totals = try JSONDecoder().decode(PartitionTotals.self, from: Data(try #require(last.totalsJSON).utf8))
            #expect(totals.expansions["mx-to-utah"]?.plannedNotDisclosed == 1)
        }
    }

    @Test(
        "R14 jobs series are named for what they count: Empleos vinculados al comercio…, Jobs at Mexican firms in Utah")
    func jobsLabels() {
        #expect(
            DigestText.jobsLabel("mexico-utah-trade", language: .es)
                == "Empleos vinculados al comercio entre México y Utah")
        #expect(DigestText.jobsLabel("mexico-utah-trade", language: .en) == "Jobs supported by Mexico-Utah trade")
        #expect(DigestText.jobsLabel("mexican-firms-in-utah", language: .en) == "Jobs at Mexican firms in Utah")
        #expect(DigestText.jobsLabel("mining-jobs", language: .es) == "Empleos vinculados (mining-jobs)")
    }

    @Test("exact dollars for reports and the console: grouped, cents when there are any, a saturated total marked")
    func exactDollars() {
        #expect(DigestText.exactDollars(0) == "0")
        #expect(DigestText.exactDollars(5) == "0.05")
        #expect(DigestText.exactDollars(123_456_789) == "1,234,567.89")
        #expect(DigestText.exactDollars(100_000_000) == "1,000,000")
        #expect(DigestText.exactDollars(-1_050) == "-10.50")
        #expect(
            DigestText.exactDollars(SaturatingTotal.saturated) == "92,233,720,368,547,758.07 or more (saturated)")
        #expect(DigestText.exactDollars(.min) == "-92,233,720,368,547,758.08")
    }

    @Test("R9 group headings agree in number; a heading of one item has no count")
    func headings() {
        #expect(DigestText.typeLabel(.expansionAnnounced, language: .es, count: 1) == "Expansión anunciada")
        #expect(DigestText.typeLabel(.expansionAnnounced, language: .es, count: 3) == "Expansiones anunciadas (3)")
        #expect(DigestText.typeLabel(.meetingHeld, language: .en, count: 1) == "Delegation meeting")
    }
}

/// Rule R10 of `Docs/digest-wording.md`: valid but implausible figures are shown to staff as "to check".
@Suite("Plausibility flags")
struct PlausibilityTests {
    func announced(jobs: Int, cents: Int64) throws -> JumpEvent {
        try EventDecoder().decode(Array(try announcement(jobs: jobs, cents: Int(cents)).utf8))
    }

    @Test("R10 1 planned job for $2.5 billion is marked in both languages; ordinary figures are not")
    func flags() throws {
        let bounds = PlausibilityBounds()
        let odd = try announced(jobs: 1, cents: 250_000_000_000)
        #expect(bounds.concerns(odd, language: .es) == "por verificar: USD 2,500 millones por empleo")
        #expect(bounds.concerns(odd, language: .en) == "to check: $2.5 billion per job")
        #expect(bounds.concerns(try announced(jobs: 180, cents: 4_500_000_000), language: .en) == nil)
        let huge = try announced(jobs: 60_000, cents: 6_000_000_000_000)
        #expect(
            bounds.concerns(huge, language: .en)
                == "to check: 60,000 jobs in one expansion; $60 billion in one announcement")
        var strict = PlausibilityBounds()
        strict.maximumUsdPerJob = 100_000
        #expect(strict.concerns(try announced(jobs: 180, cents: 4_500_000_000), language: .es) != nil)
    }

    @Test("R20 a stated zero stays a zero and is marked to check: it may stand for a figure not disclosed")
    func statedZero() throws {
        let bounds = PlausibilityBounds()
        #expect(
            bounds.concerns(try announced(jobs: 0, cents: 0), language: .es)
                == "por verificar: 0 empleos y USD 0 declarados")
        #expect(bounds.concerns(try announced(jobs: 0, cents: 0), language: .en) == "to check: 0 jobs and $0 stated")
        #expect(
            bounds.concerns(try announced(jobs: 0, cents: 4_500_000_000), language: .en) == "to check: 0 jobs stated")
        #expect(
            bounds.concerns(try announced(jobs: 180, cents: 0), language: .es) == "por verificar: USD 0 declarados")
    }
}

/// The example announcement with these planned figures (`nil`: left out, not disclosed).
func announcement(jobs: Int?, cents: Int?) throws -> String {
    let data = try DigestFixture.example("expansion-announced")
    var object = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
    var payload = try #require(object["data"] as? [String: Any])
    payload["plannedJobs"] = jobs
    payload["plannedInvestmentUsdCents"] = cents
    object["data"] = payload
    return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}
