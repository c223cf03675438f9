import Foundation
import JumpEvents

/// A configuration that cannot be used: the file, where in it, and what is wrong.
package struct DigestConfigurationError: Error, CustomStringConvertible, Equatable {
    /// A sentence naming the file, the place and the problem.
    package let description: String
}

extension DigestConfiguration {
    /// The event types that move a company in one direction: expansions and investments.
    private static let companyTypes = [
        JumpEventType.expansionAnnounced, .expansionCompleted, .expansionWithdrawn, .investmentAnnounced,
    ].map(\.rawValue)

    /// The configuration used when none is given: both audiences, placeholder staff at `example.org`, e-mail off,
    /// digests every 60 minutes in `America/Denver` (Salt Lake City).
    package static let builtIn = DigestConfiguration(
        audiences: [
            Audience(
                id: "consulate", name: "Consulado General de México en Salt Lake City",
                languages: [.es, .en], timeZone: "America/Denver", schedule: .every(minutes: 60),
                staff: [
                    StaffMember(
                        name: "Cónsul General", role: "Consul General", email: "consul-general@example.org",
                        language: .es),
                    StaffMember(
                        name: "Economic Affairs Desk", role: "Economic Affairs", email: "economic-affairs@example.org",
                        language: .en),
                ],
                // Docs/digest-routing.md gives the reason for each rule.
                routes: [
                    RouteRule(
                        types: companyTypes, directions: [Direction.mexicoToUtah.rawValue], importance: 4),
                    RouteRule(
                        types: companyTypes, directions: [Direction.utahToMexico.rawValue], importance: 3),
                    RouteRule(
                        types: [JumpEventType.meetingHeld.rawValue], topics: ["immigration", "security"],
                        importance: 4),
                    RouteRule(types: [JumpEventType.meetingHeld.rawValue], importance: 2),
                    RouteRule(types: [JumpEventType.initiativeAnnounced.rawValue], importance: 2),
                    RouteRule(
                        types: [JumpEventType.exportsReported.rawValue, JumpEventType.jobsReported.rawValue],
                        importance: 1),
                ],
                names: [
                    "es": "Consulado General de México en Salt Lake City",
                    "en": "Consulate General of Mexico in Salt Lake City",
                ],
                contact: [
                    "es": "Para dudas sobre este resumen: Sección de Asuntos Económicos, economic-affairs@example.org",
                    "en": "Questions about this digest: Economic Affairs, economic-affairs@example.org",
                ]),
            Audience(
                id: "governors-office",
                name: "Utah Governor's Office of Economic Opportunity and the Governor's Office",
                languages: [.en], timeZone: "America/Denver", schedule: .every(minutes: 60),
                staff: [
                    StaffMember(
                        name: "International Trade Director", role: "Go Utah international trade",
                        email: "international-trade@example.org", language: .en),
                    StaffMember(
                        name: "Governor's Senior Advisor", role: "Governor's office",
                        email: "governor-advisor@example.org",
                        language: .en),
                ],
                routes: [
                    RouteRule(
                        types: companyTypes, directions: [Direction.mexicoToUtah.rawValue], importance: 4),
                    RouteRule(
                        types: companyTypes, directions: [Direction.utahToMexico.rawValue], importance: 3),
                    RouteRule(
                        types: [JumpEventType.exportsReported.rawValue, JumpEventType.jobsReported.rawValue],
                        importance: 2),
                    RouteRule(
                        types: [JumpEventType.meetingHeld.rawValue, JumpEventType.initiativeAnnounced.rawValue],
                        importance: 2),
                ],
                names: ["en": "Utah Governor's Office of Economic Opportunity"],
                contact: ["en": "Questions about this digest: International Trade, international-trade@example.org"]),
        ])

    /// Reads and checks a configuration file.
    /// - Throws: ``DigestConfigurationError`` naming the file, the key path and the problem.
    package static func load(path: String) throws(DigestConfigurationError) -> DigestConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw DigestConfigurationError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        let configuration: DigestConfiguration
        do {
            configuration = try JSONDecoder().decode(DigestConfiguration.self, from: data)
        } catch let error as DecodingError {
            throw DigestConfigurationError(description: "\(path): \(Self.describe(error))")
        } catch {
            throw DigestConfigurationError(description: "\(path): \(error)")
        }
        if let problem = (unknownKeys(in: data) + configuration.problems()).first {
            throw DigestConfigurationError(description: "\(path): \(problem)")
        }
        return configuration
    }

    /// What is wrong with the configuration, each as `key.path: problem`; empty when it can be used.
    package func problems() -> [String] {
        var problems: [String] = []
        let languages = Set(DigestLanguage.allCases.map(\.rawValue))
        let types = Set(JumpEventType.allCases.map(\.rawValue))
        let directions = Set(Direction.allCases.map(\.rawValue))
        let topics = Set(MeetingTopic.allCases.map(\.rawValue))
        if audiences.isEmpty { problems.append("audiences: at least one audience is needed") }
        problems += plausibility.problems()
        for (code, names) in glossary.sorted(by: { $0.key < $1.key }) {
            for (language, name) in names.sorted(by: { $0.key < $1.key })
            where !languages.contains(language) || name.isEmpty || name.count > 200 {
                problems.append(
                    "glossary.\(code).\(language): must be one of \(DigestLanguage.allCases.map(\.rawValue)) with a name of 1 to 200 characters"
                )
            }
        }
        var seen: Set<String> = []
        for (index, audience) in audiences.enumerated() {
            let at = "audiences[\(index)]"
            if !seen.insert(audience.id).inserted { problems.append("\(at).id: \"\(audience.id)\" appears twice") }
            if audience.id.isEmpty
                || !audience.id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") })
            {
                problems.append("\(at).id: \"\(audience.id)\" must be letters, digits and '-'")
            }
            if TimeZone(identifier: audience.timeZone) == nil {
                problems.append("\(at).timeZone: \"\(audience.timeZone)\" is not an IANA time zone")
            }
            if audience.languages.isEmpty { problems.append("\(at).languages: at least one language is needed") }
            for (key, texts) in [("names", audience.names), ("contact", audience.contact)] {
                for (language, text) in texts.sorted(by: { $0.key < $1.key })
                where !languages.contains(language) || text.isEmpty || text.count > 300 {
                    problems.append(
                        "\(at).\(key).\(language): must be one of \(DigestLanguage.allCases.map(\.rawValue)) with 1 to 300 characters"
                    )
                }
            }
            if !(1...1_000).contains(audience.maximumItems) {
                problems.append("\(at).maximumItems: \(audience.maximumItems) must be from 1 to 1000")
            }
            if audience.routes.isEmpty { problems.append("\(at).routes: at least one rule is needed") }
            for (ruleIndex, rule) in audience.routes.enumerated() {
                for type in rule.types ?? [] where !types.contains(type) {
                    problems.append("\(at).routes[\(ruleIndex)].types: \"\(type)\" is not an event type")
                }
                for direction in rule.directions ?? [] where !directions.contains(direction) {
                    problems.append(
                        "\(at).routes[\(ruleIndex)].directions: \"\(direction)\" is not mx-to-utah or utah-to-mx")
                }
                for topic in rule.topics ?? [] where !topics.contains(topic) {
                    problems.append("\(at).routes[\(ruleIndex)].topics: \"\(topic)\" is not a meeting topic")
                }
                if rule.importance < 1 || rule.importance > 9 {
                    problems.append("\(at).routes[\(ruleIndex)].importance: \(rule.importance) is not 1 to 9")
                }
            }
            for (staffIndex, member) in audience.staff.enumerated() {
                if let problem = MailAddress.problem(member.email) {
                    problems.append(
                        "\(at).staff[\(staffIndex)].email: \"\(member.email)\" is not an e-mail address: \(problem)"
                    )
                }
            }
        }
        if sinks.contains(.email) && email == nil {
            problems.append("sinks: \"email\" is listed but email is not set")
        }
        if let email {
            if (email.sendmail == nil) == (email.smtp == nil) {
                problems.append("email: set exactly one of \"sendmail\" and \"smtp\"")
            }
            if let command = email.sendmail, command.isEmpty { problems.append("email.sendmail: the command is empty") }
            if let smtp = email.smtp, !(1...65_535).contains(smtp.port) {
                problems.append("email.smtp.port: \(smtp.port) is not a port")
            }
            if let problem = MailAddress.problem(email.from) {
                problems.append(
                    "email.from: \"\(email.from)\" is not an e-mail address: \(problem)")
            }
        }
        return problems
    }

    /// Keys the configuration does not know (a typo would otherwise be ignored silently); keys starting with
    /// `//` are comments.
    private static func unknownKeys(in data: Data) -> [String] {
        let known: [String: Set<String>] = [
            "": ["audiences", "sinks", "email", "templateDirectory", "glossary", "plausibility"],
            "plausibility": ["maximumUsdPerJob", "maximumJobs", "maximumUsd"],
            "audiences[]": [
                "id", "name", "languages", "timeZone", "schedule", "reportEmptyWindows", "maximumItems", "staff",
                "routes", "names", "contact",
            ],
            "audiences[].schedule": ["everyMinutes", "dailyAt"],
            "audiences[].staff[]": ["name", "role", "email", "language"],
            "audiences[].routes[]": ["types", "directions", "topics", "importance"],
            "email": ["from", "sendmail", "smtp", "maxAttempts"],
            "email.smtp": ["host", "port"],
        ]
        var problems: [String] = []
        func walk(_ value: Any, shape: String, path: String) {
            if let object = value as? [String: Any] {
                for (key, child) in object.sorted(by: { $0.key < $1.key }) where !key.hasPrefix("//") {
                    let childShape = shape.isEmpty ? key : "\(shape).\(key)"
                    let childPath = path.isEmpty ? key : "\(path).\(key)"
                    if let allowed = known[shape], !allowed.contains(key) {
                        problems.append(
                            "\(childPath): unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
                        continue
                    }
                    walk(child, shape: childShape, path: childPath)
                }
            } else if let array = value as? [Any] {
                for (index, element) in array.enumerated() {
                    walk(element, shape: shape + "[]", path: "\(path)[\(index)]")
                }
            }
        }
        if let root = try? JSONSerialization.jsonObject(with: data) { walk(root, shape: "", path: "") }
        return problems
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.hasPrefix(".") ? String(keys.dropFirst()) : (keys.isEmpty ? "(top level)" : keys)
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "\(at == "(top level)" ? "" : at + ".")\(key.stringValue): missing"
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
