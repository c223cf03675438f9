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
        // Every routed event's source is asked (most are `urn:…`): the scheme is checked on the bytes as they are,
        // before anything is copied.
        let bytes = text.utf8
        guard bytes.count <= 256, let scheme = schemeLength(bytes) else { return false }
        guard bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else { return false }
        let authority = bytes.dropFirst(scheme).prefix {
            $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#")
        }
        return !authority.isEmpty && !authority.contains(UInt8(ascii: "@"))
    }

    /// The length of `http://` or `https://` (any case) at the start of `bytes`, or `nil`.
    private static func schemeLength(_ bytes: String.UTF8View) -> Int? {
        guard let first = bytes.first, first | 0x20 == UInt8(ascii: "h") else { return nil }
        let lowered = bytes.prefix(8).map { $0 | 0x20 }  // ASCII letters to lower case; `:` and `/` stay
        if lowered.starts(with: "https:".utf8), bytes.dropFirst(6).starts(with: "//".utf8) { return 8 }
        if lowered.starts(with: "http:".utf8), bytes.dropFirst(5).starts(with: "//".utf8) { return 7 }
        return nil
    }
}
