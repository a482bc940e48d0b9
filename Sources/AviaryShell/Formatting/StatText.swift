import AviaryClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A Stat as zkCli prints it (`cZxid = 0x2`, `ctime = Fri Nov 27 17:53:29 UTC 2026`, ...), one line each.
public enum StatText {
    public static func lines(_ stat: Stat) -> [String] {
        [
            "cZxid = 0x\(hex(stat.czxid))",
            "ctime = \(javaDate(millis: stat.ctime))",
            "mZxid = 0x\(hex(stat.mzxid))",
            "mtime = \(javaDate(millis: stat.mtime))",
            "pZxid = 0x\(hex(stat.pzxid))",
            "cversion = \(stat.cversion)",
            "dataVersion = \(stat.version)",
            "aclVersion = \(stat.aversion)",
            "ephemeralOwner = 0x\(hex(stat.ephemeralOwner))",
            "dataLength = \(stat.dataLength)",
            "numChildren = \(stat.numChildren)",
        ]
    }

    /// Java's `Long.toHexString`: lower case, two's complement for negative values.
    public static func hex(_ value: Int64) -> String {
        String(UInt64(bitPattern: value), radix: 16)
    }

    /// Java's `Date.toString()` in the local time zone: `EEE MMM dd HH:mm:ss zzz yyyy`.
    public static func javaDate(millis: Int64) -> String {
        var seconds = time_t(millis / 1000 - (millis % 1000 < 0 ? 1 : 0))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return "\(millis)" }
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a %b %d %H:%M:%S %Z %Y", &parts)
        guard count > 0 else { return "\(millis)" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
