/// The version every jump-relay executable reports with `--version`, kept in this one place.
public enum JumpVersion {
    /// `MAJOR.MINOR.PATCH`, raised with each release.
    public static let current = "0.11.0"
}
