/// Where an event comes from, as an address staff can open: a digest line shows it, so that "where does this figure
/// come from?" is one click.
package enum SourceLink {
    /// The http(s) address of an event's source: a figure's own `source` (exports, jobs), else the event's
    /// CloudEvents `source`; `nil` when neither is one (`urn:…`, `U.S. Census Bureau`).
    package static func of(_ event: JumpEvent) -> String? {
        let figureSource: String? =
            switch event.payload {
            case .exportsReported(let exports): exports.source
            case .jobsReported(let jobs): jobs.source
            default: nil
            }
        if let figureSource, isLink(figureSource) { return figureSource }
        return isLink(event.source) ? event.source : nil
    }

    /// Whether `text` is an http(s) address: `http://` or `https://` (any case), then a host (no `user@`: it
    /// would make `https://www.census.gov@evil.example/` read as census.gov) and perhaps a path, query or fragment;
    /// printable ASCII only (an international name or path comes punycoded and percent-encoded), at most 256 bytes.
    package static func isLink(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count <= 256, bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return false }
        let lowered = text.prefix(8).lowercased()
        let scheme = lowered.hasPrefix("https://") ? 8 : lowered.hasPrefix("http://") ? 7 : 0
        guard scheme > 0 else { return false }
        let authority = bytes[scheme...].prefix {
            ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains($0)
        }
        return !authority.isEmpty && !authority.contains(UInt8(ascii: "@"))
    }
}
