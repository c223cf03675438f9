import Foundation
import JumpEvents

/// How the source of an export or jobs figure stated it: its value (`about`, `derived`, …) and its period (a
/// year not stated, or assumed). Kept with the figure's row and in the kept series (migration v7), so that every
/// digest shows the figure as its source stated it, not only the window that carried the report.
package struct StatedFigure: Sendable, Codable, Equatable {
    /// What the source says of the value.
    package var value: FigureQualifier?
    /// What it says of the period.
    package var period: FigureQualifier?

    /// A statement.
    package init(value: FigureQualifier? = nil, period: FigureQualifier? = nil) {
        self.value = value
        self.period = period
    }

    /// The qualifiers a report gives its value (at `valuePointer`) and its period, or `nil` when it gives none.
    init?(_ qualifiers: [String: FigureQualifier], valuePointer: String) {
        guard !qualifiers.isEmpty else { return nil }
        value = qualifiers[valuePointer]
        period = qualifiers["/period"]
        if value == nil && period == nil { return nil }
    }

    /// As a row keeps it: JSON with sorted keys (the bytes `JSONEncoder` gives the totals). Only reports with
    /// qualifiers come here.
    var text: String {
        // Encoding a struct of optionals and strings cannot fail.
        String(decoding: (try? Self.encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The statement a row keeps, or `nil` for none (or a text this version cannot read, which reads as exact).
    init?(text: String?) {
        guard let text, let read = try? JSONDecoder().decode(Self.self, from: Data(text.utf8)) else { return nil }
        self = read
    }

    /// Appends the JSON of ``text``.
    func appendJSON(to bytes: inout [UInt8]) { bytes.append(contentsOf: text.utf8) }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
