import AviaryClient

/// The exit status of `aviary-cli`, for scripts.
///
/// | status | meaning |
/// |---|---|
/// | 0 | success |
/// | 1 | any other failure (ZooKeeper's `SystemError` is -1 too) |
/// | 4 | could not connect, or the connection was lost (`ConnectionLoss`, -4); also "Not connected" |
/// | 7 | `OperationTimeout` (-7) |
/// | 8 | `BadArguments` (-8), e.g. an invalid path |
/// | 64 | usage error: unknown command, unknown flag, missing argument (sysexits' `EX_USAGE`) |
/// | 101 | `NoNode` |
/// | 102 | `NoAuth` |
/// | 103 | `BadVersion` |
/// | 108 | `NoChildrenForEphemerals` |
/// | 110 | `NodeExists` |
/// | 111 | `NotEmpty` |
/// | 112 | `SessionExpired` |
/// | 114 | `InvalidACL` |
/// | 115 | `AuthFailed` |
/// | 121 | `NoWatcher` |
/// | 130 | interrupted (Ctrl-C) while connecting |
///
/// In general a ZooKeeper error code `-n` exits with `n`: every code ZooKeeper defines lies in -1…-127, so
/// each gets its own status and none collides with 64 or with the shell's 128+signal.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 64
    public static let interrupted: Int32 = 130

    public static func status(for code: KeeperError) -> Int32 {
        let status = -code.rawValue
        return (1...127).contains(status) ? status : failure
    }
}
