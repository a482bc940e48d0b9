import AviaryWire
import Crypto

/// ZooKeeper's digest scheme: the id of `user:password` is `user:` + base64(SHA-1("user:password")).
public enum DigestAuthentication {
    public static func digest(_ credentials: String) -> String {
        let user = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let hash = Insecure.SHA1.hash(data: Array(credentials.utf8))
        return "\(user):" + Base64.encode(Array(hash))
    }
}
