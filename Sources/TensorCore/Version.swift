/// SwiftGrad's release version.
public enum SwiftGradVersion {
    /// The version string, `MAJOR.MINOR.PATCH`.
    public static let current = "0.1.0"
}
