import AviaryDataTree
import AviaryWire

/// Renderings of logged txns and snapshot nodes for `aviary-server logs|snapshot`: one readable line per txn,
/// shaped like ZooKeeper's `zkTxnLogToolkit.sh` output (time in UTC ISO 8601 rather than the JVM's locale), and
/// one JSON object per txn or node (keys in a fixed order; data as base64, since it is arbitrary bytes).
public enum StorageDump {
    /// `<time> session 0x<id> cxid 0x<cxid> zxid 0x<zxid> <op> <details>`.
    public static func describe(_ txn: Txn) -> String {
        let header = txn.header
        var line =
            "\(utcTimestamp(millis: header.time)) session 0x\(hex(header.clientId)) cxid 0x\(hex(Int64(header.cxid)))"
        line += " zxid 0x\(hex(header.zxid)) \(opName(header.type))"
        let details = describe(txn.body)
        if !details.isEmpty { line += " " + details }
        if let digest = txn.digest { line += " digest \(digest.version):\(digest.treeDigest)" }
        return line
    }

    public static func describe(_ body: TxnBody) -> String {
        switch body {
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion, _):
            "\(path),\(text(data)),\(describe(acl)),\(ephemeral),\(parentCVersion)"
        case .createContainer(let path, let data, let acl, let parentCVersion):
            "\(path),\(text(data)),\(describe(acl)),\(parentCVersion)"
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            "\(path),\(text(data)),\(describe(acl)),\(parentCVersion),\(ttl)"
        case .delete(let path, _): path
        case .setData(let path, let data, let version, _): "\(path),\(text(data)),\(version)"
        case .setACL(let path, let acl, let version): "\(path),\(describe(acl)),\(version)"
        case .check(let path, let version): "\(path),\(version)"
        case .createSession(let timeout): "\(timeout)"
        case .closeSession(let paths): paths.map { "[" + $0.joined(separator: ",") + "]" } ?? ""
        case .error(let code): "\(code)"
        case .multi(let bodies): bodies.map { "\(opName($0.opCode.rawValue)):\(describe($0))" }.joined(separator: ";")
        }
    }

    static func describe(_ acl: [ACL]) -> String {
        "[" + acl.map { "\($0.perms),\($0.id.scheme):\($0.id.id)" }.joined(separator: ";") + "]"
    }

    // MARK: JSON

    /// One JSON object for a logged txn.
    public static func json(_ txn: Txn) -> String {
        var object = JSONObject()
        object.add("zxid", string: "0x" + hex(txn.zxid))
        object.add("time", number: txn.header.time)
        object.add("session", string: "0x" + hex(txn.header.clientId))
        object.add("cxid", number: Int64(txn.header.cxid))
        object.add("type", string: opName(txn.header.type))
        addBody(txn.body, to: &object)
        if let digest = txn.digest {
            object.add("digestVersion", number: Int64(digest.version))
            object.add("digest", number: digest.treeDigest)
        }
        return object.text
    }

    private static func addBody(_ body: TxnBody, to object: inout JSONObject) {
        switch body {
        case .create(let path, let data, let acl, let ephemeral, let parentCVersion, _):
            object.add("path", string: path)
            object.add("data", raw: base64JSON(data))
            object.add("acl", raw: json(acl))
            object.add("ephemeral", raw: ephemeral ? "true" : "false")
            object.add("parentCVersion", number: Int64(parentCVersion))
        case .createContainer(let path, let data, let acl, let parentCVersion):
            object.add("path", string: path)
            object.add("data", raw: base64JSON(data))
            object.add("acl", raw: json(acl))
            object.add("parentCVersion", number: Int64(parentCVersion))
        case .createTTL(let path, let data, let acl, let parentCVersion, let ttl):
            object.add("path", string: path)
            object.add("data", raw: base64JSON(data))
            object.add("acl", raw: json(acl))
            object.add("parentCVersion", number: Int64(parentCVersion))
            object.add("ttl", number: ttl)
        case .delete(let path, _):
            object.add("path", string: path)
        case .setData(let path, let data, let version, _):
            object.add("path", string: path)
            object.add("data", raw: base64JSON(data))
            object.add("version", number: Int64(version))
        case .setACL(let path, let acl, let version):
            object.add("path", string: path)
            object.add("acl", raw: json(acl))
            object.add("version", number: Int64(version))
        case .check(let path, let version):
            object.add("path", string: path)
            object.add("version", number: Int64(version))
        case .createSession(let timeout):
            object.add("timeout", number: Int64(timeout))
        case .closeSession(let paths):
            object.add(
                "paths", raw: paths.map { "[" + $0.map(JSONObject.quote).joined(separator: ",") + "]" } ?? "null")
        case .error(let code):
            object.add("err", number: Int64(code))
        case .multi(let bodies):
            let ops = bodies.map { sub -> String in
                var inner = JSONObject()
                inner.add("type", string: opName(sub.opCode.rawValue))
                addBody(sub, to: &inner)
                return inner.text
            }
            object.add("ops", raw: "[" + ops.joined(separator: ",") + "]")
        }
    }

    /// One JSON object for a snapshot node.
    public static func json(path: String, node: ZNode, acl: [ACL]) -> String {
        var object = JSONObject()
        object.add("path", string: path)
        object.add("data", raw: base64JSON(node.data))
        object.add("acl", raw: json(acl))
        let stat = node.stat
        object.add("czxid", string: "0x" + hex(stat.czxid))
        object.add("mzxid", string: "0x" + hex(stat.mzxid))
        object.add("pzxid", string: "0x" + hex(stat.pzxid))
        object.add("ctime", number: stat.ctime)
        object.add("mtime", number: stat.mtime)
        object.add("version", number: Int64(stat.version))
        object.add("cversion", number: Int64(stat.cversion))
        object.add("aversion", number: Int64(stat.aversion))
        object.add("ephemeralOwner", string: "0x" + hex(stat.ephemeralOwner))
        object.add("numChildren", number: Int64(node.childCount))
        return object.text
    }

    /// Every node of a snapshot as JSON lines, in path order.
    public static func jsonLines(_ snapshot: LoadedSnapshot) -> [String] {
        let tree = snapshot.tree
        return tree.allPaths().sorted().map { path in
            let node = tree.node(at: path)!
            return json(path: path, node: node, acl: tree.acl(of: node))
        }
    }

    static func json(_ acl: [ACL]) -> String {
        "["
            + acl.map {
                "{\"perms\":\($0.perms),\"scheme\":\(JSONObject.quote($0.id.scheme)),\"id\":\(JSONObject.quote($0.id.id))}"
            }
            .joined(separator: ",") + "]"
    }

    // MARK: Formatting helpers

    /// ZooKeeper's `Request.op2String`, which spells createTTL "createTtl".
    static func opName(_ type: Int32) -> String {
        guard let opCode = OpCode(rawValue: type) else { return "unknown \(type)" }
        return opCode == .createTTL ? "createTtl" : opCode.name
    }

    /// Lowercase hex of the two's-complement bits, as Java's `Long.toHexString`.
    static func hex(_ value: Int64) -> String { String(UInt64(bitPattern: value), radix: 16) }

    /// Data as text when it is printable UTF-8, else as 0x-prefixed hex.
    static func text(_ data: [UInt8]?) -> String {
        guard let data else { return "" }
        if let string = String(validating: data, as: UTF8.self),
            !string.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            return string
        }
        return "0x" + data.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    static func base64JSON(_ data: [UInt8]?) -> String {
        guard let data else { return "null" }
        return "\"" + Base64.encode(data) + "\""
    }

    /// `yyyy-MM-ddTHH:mm:ss.SSSZ` from Unix milliseconds (proleptic Gregorian, UTC).
    static func utcTimestamp(millis: Int64) -> String {
        let (days, dayMillis) = millis.quotientAndRemainder(dividingBy: 86_400_000)
        var day = days
        var remainder = dayMillis
        if remainder < 0 {
            remainder += 86_400_000
            day -= 1
        }
        // Days to civil date (H. Hinnant's algorithm).
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        let seconds = remainder / 1000
        func pad(_ value: Int64, _ width: Int) -> String { String(value).leftPadded(to: width) }
        return
            "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2))"
            + ":\(pad(seconds % 60, 2)).\(pad(remainder % 1000, 3))Z"
    }
}

/// Builds a JSON object with keys in the order they are added.
struct JSONObject {
    private var members: [String] = []

    mutating func add(_ key: String, string: String) { members.append("\(Self.quote(key)):\(Self.quote(string))") }
    mutating func add(_ key: String, number: Int64) { members.append("\(Self.quote(key)):\(number)") }
    mutating func add(_ key: String, raw: String) { members.append("\(Self.quote(key)):\(raw)") }

    var text: String { "{" + members.joined(separator: ",") + "}" }

    static func quote(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\u" + String(scalar.value, radix: 16).leftPadded(to: 4)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
