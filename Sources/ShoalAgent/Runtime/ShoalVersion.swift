/// The version this build reports in `shoal version`, `/v1/info` and gossip metadata.
public enum ShoalVersion {
    public static let current = "0.1.0"
    /// The envelope protocol version this build speaks.
    public static let protocolVersion = 1
}
