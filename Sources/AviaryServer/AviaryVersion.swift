/// The release this build reports (four-letter words, `--version`).
public enum AviaryVersion {
    public static let current = "0.1.0"
    static let buildDate = "unreleased"
}
