/// The version every jump-relay executable reports with `--version`, kept in this one place.
package enum JumpVersion {
    /// `MAJOR.MINOR.PATCH`, raised with each release.
    package static let current = "0.13.0"
}
