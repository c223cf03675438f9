/// The templates shipped with jump-relay; `Deploy/templates/` holds the same text as files for operators to
/// copy and edit (`templateDirectory` in the digest configuration).
public enum DefaultTemplates {
    /// `digest.es.mustache`.
    public static let spanish = """
        {{% CONTENT_TYPE: TEXT}}
        Resumen JUMP · {{audienceName}}
        Periodo: {{windowStart}} – {{windowEnd}}
        Identificador: {{digestId}}

        Cifras principales:

        """ + sections

    /// `digest.en.mustache`.
    public static let english = """
        {{% CONTENT_TYPE: TEXT}}
        JUMP digest · {{audienceName}}
        Window: {{windowStart}} – {{windowEnd}}
        Id: {{digestId}}

        Headline figures:

        """ + sections

    /// What follows the headings in both languages: the figures, the changes by group, and how many were left out
    /// (every label comes from the renderer, already in the digest's language).
    private static let sections = """
        {{#figures}}
          {{label}}: {{value}}
        {{/figures}}

        {{changesHeading}}
        {{#groups}}

          {{label}}
        {{#items}}
          - {{headline}}
        {{/items}}
        {{/groups}}
        {{#hasMore}}

          {{moreText}}
        {{/hasMore}}

        """

    /// The built-in template of a language.
    public static func template(language: String) -> String { language == "es" ? spanish : english }
}
