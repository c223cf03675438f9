/// The templates shipped with jump-relay; `Deploy/templates/` holds the same text as files for operators to
/// copy and edit (`templateDirectory` in the digest configuration).
package enum DefaultTemplates {
    /// `digest.es.mustache`.
    package static let spanish = """
        {{% CONTENT_TYPE: TEXT}}
        {{newsLine}}

        Resumen JUMP · {{audienceName}}
        Periodo: {{windowText}}


        """ + sections

    /// `digest.en.mustache`.
    package static let english = """
        {{% CONTENT_TYPE: TEXT}}
        {{newsLine}}

        JUMP digest · {{audienceName}}
        Window: {{windowText}}


        """ + sections

    /// What follows the title in both languages: this window's news by group, then earlier events recorded in it,
    /// and how many were left out, then the latest figures and the cumulative ones with their date, the contact
    /// line and the ID (every label comes from the renderer, already in the digest's language).
    private static let sections = """
        {{#hasChanges}}
        {{changesHeading}}
        {{#groups}}

          {{label}}
        {{#items}}
          - {{headline}}
        {{/items}}
        {{/groups}}

        {{/hasChanges}}
        {{#hasEarlier}}
        {{earlierHeading}}
        {{#earlierGroups}}

          {{label}}
        {{#items}}
          - {{headline}}
        {{/items}}
        {{/earlierGroups}}

        {{/hasEarlier}}
        {{#hasMore}}
          {{moreText}}

        {{/hasMore}}
        {{#hasLatest}}
        {{latestHeading}}
        {{#latest}}
          {{label}}: {{value}}
        {{/latest}}

        {{/hasLatest}}
        {{figuresHeading}}
        {{#cumulative}}
          {{label}}: {{value}}
        {{/cumulative}}
        {{#contact}}

        {{contact}}
        {{/contact}}

        {{footer}}

        """

    /// The built-in template of a language.
    package static func template(language: DigestLanguage) -> String { language == .es ? spanish : english }
}
