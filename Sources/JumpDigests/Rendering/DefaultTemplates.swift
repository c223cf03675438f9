/// The templates shipped with jump-relay; `Deploy/templates/` holds the same text as files for operators to
/// copy and edit (`templateDirectory` in the digest configuration).
public enum DefaultTemplates {
    /// `digest.es.mustache`.
    public static let spanish = """
        {{% CONTENT_TYPE: TEXT}}
        Resumen JUMP · {{audienceName}}
        Periodo: {{windowStart}} – {{windowEnd}}
        Resumen: {{digestId}}
        {{^hasItems}}

        Sin actividad en este periodo.
        {{/hasItems}}
        {{#hasItems}}

        Novedades ({{itemCount}}), las más importantes primero:
        {{#items}}
          {{marker}} {{headline}}
             evento {{eventId}}
        {{/items}}

        Por tipo:
        {{#counts}}
          {{label}}: {{count}}
        {{/counts}}
        {{/hasItems}}

        Totales acumulados:
        {{#totals}}
          {{label}}: {{value}}
        {{/totals}}

        """

    /// `digest.en.mustache`.
    public static let english = """
        {{% CONTENT_TYPE: TEXT}}
        JUMP digest · {{audienceName}}
        Window: {{windowStart}} – {{windowEnd}}
        Digest: {{digestId}}
        {{^hasItems}}

        No activity in this window.
        {{/hasItems}}
        {{#hasItems}}

        What changed ({{itemCount}}), most important first:
        {{#items}}
          {{marker}} {{headline}}
             event {{eventId}}
        {{/items}}

        By type:
        {{#counts}}
          {{label}}: {{count}}
        {{/counts}}
        {{/hasItems}}

        Running totals:
        {{#totals}}
          {{label}}: {{value}}
        {{/totals}}

        """

    /// The built-in template of a language.
    public static func template(language: String) -> String { language == "es" ? spanish : english }
}
