/// The zoo.cfg keys Aviary accepts without acting on them, and what it tells the operator about each.
///
/// A zoo.cfg written for ZooKeeper must start Aviary, so no key is an error merely for being unfamiliar: ZooKeeper
/// itself turns unknown keys into `zookeeper.<key>` system properties and carries on. Where ZooKeeper checks the
/// value of a key it parses itself (a boolean, an integer), Aviary checks it too, so a file ZooKeeper rejects is
/// rejected here as well.
enum IgnoredConfigurationKeys {
    enum ValueKind {
        case any
        case boolean
        case integer
        case long
    }

    struct Classification {
        var reason: String
        var valueKind: ValueKind
    }

    /// Why `key` (already stripped of a `zookeeper.` prefix) is ignored, and how ZooKeeper would check its value.
    static func classify(_ key: String) -> Classification {
        if let kind = notSupportedYet[key] {
            return Classification(
                reason: "recognised ZooKeeper setting, not supported by Aviary yet; ignored",
                valueKind: kind)
        }
        if let kind = javaOnly[key] ?? (hasPrefix(key, in: javaOnlyPrefixes) ? .any : nil) {
            return Classification(reason: "only meaningful to the Java server; ignored", valueKind: kind)
        }
        return Classification(reason: "unknown key; ignored", valueKind: .any)
    }

    private static func hasPrefix(_ key: String, in prefixes: [String]) -> Bool {
        prefixes.contains { key.hasPrefix($0) }
    }

    /// Settings with a meaning Aviary will implement; ignoring them for now leaves ZooKeeper's default behaviour.
    private static let notSupportedYet: [String: ValueKind] = [
        "localSessionsEnabled": .boolean,
        "localSessionsUpgradingEnabled": .boolean,
        "observerMasterPort": .integer,
        "clientPortListenBacklog": .integer,
        "connectToLearnerMasterLimit": .integer,
        "syncEnabled": .boolean,
        "reconfigEnabled": .boolean,
        "version": .any,
        "oraclePath": .any,
        "multiAddress.enabled": .boolean,
        "multiAddress.reachabilityCheckEnabled": .boolean,
        "multiAddress.reachabilityCheckTimeoutMs": .integer,
        "quorum.cnxn.threads.size": .integer,
        "electionPortBindRetry": .any,
        "cnxTimeout": .any,
        "tcpKeepAlive": .any,
        "clientTcpKeepAlive": .any,
        "globalOutstandingLimit": .any,
        "leaderServes": .any,
        "maxCnxns": .any,
        "skipACL": .any,
        "traceFile": .any,
        "txnLogSizeLimitInKb": .any,
        "snapSizeLimitInKb": .any,
        "fsync.warningthresholdms": .any,
        "digest.enabled": .any,
        "serializeLastProcessedZxid.enabled": .any,
        "commitLogCount": .any,
        "snapshot.trust.empty": .any,
        "enforceQuota": .any,
        "enforce.auth.enabled": .any,
        "enforce.auth.schemes": .any,
        "requestThrottleLimit": .any,
        "requestThrottleStallTime": .any,
        "requestThrottleDropStale": .any,
        "requestStaleLatencyCheck": .any,
        "requestStaleConnectionCheck": .any,
        "throttledOpWaitTime": .any,
        "learner.asyncSending": .any,
        "learner.closeSocketAsync": .any,
        "leader.closeSocketAsync": .any,
        "flushDelay": .any,
        "maxWriteQueuePollTime": .any,
        "maxBatchSize": .any,
        "watchManagerName": .any,
        "ensembleAuthName": .any,
        "maxResponseCacheSize": .any,
        "maxGetChildrenResponseCacheSize": .any,
    ]

    /// Settings for the JVM, Java class names, JAAS/SASL and Java's admin server and metrics plug-ins.
    private static let javaOnly: [String: ValueKind] = [
        "serverCnxnFactory": .any,
        "audit.enable": .any,
        "quorum.auth.enableSasl": .boolean,
        "quorum.auth.serverRequireSasl": .boolean,
        "quorum.auth.learnerRequireSasl": .boolean,
        "jvm.pause.info-threshold.ms": .long,
        "jvm.pause.warn-threshold.ms": .long,
        "jvm.pause.sleep.time.ms": .long,
        "jvm.pause.monitor": .boolean,
    ]

    private static let javaOnlyPrefixes = [
        "authProvider.", "admin.", "jvm", "metricsProvider.", "quorum.auth.", "kerberos.", "sasl.", "jaas", "jmx.",
        "log.", "root.logger", "netty.", "nio.", "clientCnxnSocket", "java.",
    ]
}
