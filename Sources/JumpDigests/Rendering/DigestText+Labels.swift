import JumpEvents

/// Labels: what a jobs series counts, each event type's heading, a direction, a meeting's topics.
extension DigestText {
    /// What a jobs series counts, as a label: `Empleos vinculados al comercio entre México y Utah`, `Jobs at
    /// Mexican firms in Utah`; another scope `Empleos vinculados (SCOPE)` / `Jobs supported (SCOPE)`.
    package static func jobsLabel(_ scope: String, language: DigestLanguage, glossary: Glossary = .standard) -> String {
        let spanish = language == .es
        switch scope {
        case "mexico-utah-trade":
            return spanish
                ? "Empleos vinculados al comercio entre México y Utah" : "Jobs supported by Mexico-Utah trade"
        case "mexican-firms-in-utah":
            return spanish ? "Empleos en empresas mexicanas en Utah" : "Jobs at Mexican firms in Utah"
        case "utah-firms-in-mexico":
            return spanish ? "Empleos en empresas de Utah en México" : "Jobs at Utah firms in Mexico"
        default:
            let name = clean(glossary.name(scope, language: language))
            return spanish ? "Empleos vinculados (\(name))" : "Jobs supported (\(name))"
        }
    }

    /// The heading of a group of `count` lines of one event type: `Expansiones anunciadas (2)`,
    /// `Expansion announced (1)`.
    package static func typeLabel(_ type: JumpEventType, language: DigestLanguage, count: Int) -> String {
        let (spanish, english) = typeLabels(type)
        let (one, other) = language == .es ? spanish : english
        return count == 1 ? one : "\(other) (\(DigestText.number(Int64(count))))"
    }

    /// The name of one event of a type: `Expansión anunciada`, `Expansion announced`.
    package static func typeName(_ type: JumpEventType, language: DigestLanguage) -> String {
        let (spanish, english) = typeLabels(type)
        return language == .es ? spanish.0 : english.0
    }

    /// Each type's heading, singular and plural, in Spanish and English.
    private static func typeLabels(_ type: JumpEventType) -> (es: (String, String), en: (String, String)) {
        switch type {
        case .expansionAnnounced:
            (
                ("Expansión anunciada", "Expansiones anunciadas"), ("Expansion announced", "Expansions announced")
            )
        case .expansionCompleted:
            (
                ("Expansión concluida", "Expansiones concluidas"), ("Expansion completed", "Expansions completed")
            )
        case .expansionWithdrawn:
            (
                ("Expansión cancelada", "Expansiones canceladas"), ("Expansion canceled", "Expansions canceled")
            )
        case .investmentAnnounced:
            (
                ("Inversión anunciada", "Inversiones anunciadas"), ("Investment announced", "Investments announced")
            )
        case .exportsReported:
            (("Cifra de exportaciones", "Cifras de exportaciones"), ("Export figure", "Export figures"))
        case .jobsReported: (("Cifra de empleo", "Cifras de empleo"), ("Jobs figure", "Jobs figures"))
        case .meetingHeld:
            (
                ("Reunión de delegaciones", "Reuniones de delegaciones"), ("Delegation meeting", "Delegation meetings")
            )
        case .initiativeAnnounced: (("Iniciativa", "Iniciativas"), ("Initiative", "Initiatives"))
        }
    }

    /// A direction in words.
    package static func direction(_ direction: Direction, _ language: DigestLanguage) -> String {
        switch (direction, language) {
        case (.mexicoToUtah, .es): "de México a Utah"
        case (.utahToMexico, .es): "de Utah a México"
        case (.mexicoToUtah, .en): "Mexico to Utah"
        case (.utahToMexico, .en): "Utah to Mexico"
        }
    }

    /// A meeting's topics as a reader expects them: `cooperación en materia económica, migratoria y de seguridad`;
    /// `topics: the economy, immigration and security`.
    static func topics(_ topics: [MeetingTopic], language: DigestLanguage) -> String {
        let named = topics.filter { $0 != .other }
        guard language == .es else {
            return "\(topics.count == 1 ? "topic" : "topics"): "
                + Wording.list(topics.map { topic($0, language) }, language: language)
        }
        guard !named.isEmpty else { return "otros temas" }
        let matters = Wording.list(named.map(matter), language: language)
        return "cooperación en materia \(matters)" + (topics.contains(.other) ? ", entre otros temas" : "")
    }

    /// The adjective (or `de …`) that follows `en materia`.
    private static func matter(_ topic: MeetingTopic) -> String {
        switch topic {
        case .economic: "económica"
        case .immigration: "migratoria"
        case .security: "de seguridad"
        case .trade: "comercial"
        case .investment: "de inversión"
        case .education: "educativa"
        case .culture: "cultural"
        case .energy: "energética"
        case .water: "de agua"
        case .health: "de salud"
        case .technology: "tecnológica"
        case .other: "de otros temas"
        }
    }

    /// A meeting topic in words.
    package static func topic(_ topic: MeetingTopic, _ language: DigestLanguage) -> String {
        guard language == .es else {
            return switch topic {
            case .economic: "the economy"
            case .other: "other issues"
            default: topic.rawValue
            }
        }
        return switch topic {
        case .economic: "economía"
        case .immigration: "migración"
        case .security: "seguridad"
        case .trade: "comercio"
        case .investment: "inversión"
        case .education: "educación"
        case .culture: "cultura"
        case .energy: "energía"
        case .water: "agua"
        case .health: "salud"
        case .technology: "tecnología"
        case .other: "otros temas"
        }
    }
}
