/// A log-linear latency histogram in the manner of HdrHistogram: values below 256 ns are counted exactly;
/// above, each power of two is split into 128 equal buckets, so any recorded value is known to within
/// 1/128 (0.8 %) whatever its size, in a fixed 7,424 counters (58 KiB) for the whole range of `UInt64`.
///
/// Recording is an array increment (no allocation, no lock); each benchmark slot keeps its own histogram
/// and they are merged at the end.
public struct LatencyHistogram: Sendable, Hashable {
    static let subBucketBits = 7
    static let subBucketCount = 1 << subBucketBits
    /// Values below this are their own bucket.
    static let linearLimit: UInt64 = 1 << (subBucketBits + 1)
    static let bucketCount = Int(linearLimit) + (63 - subBucketBits) * subBucketCount

    private var counts: [UInt64]
    public private(set) var totalCount: UInt64 = 0
    public private(set) var maxValue: UInt64 = 0
    public private(set) var minValue: UInt64 = .max
    /// For the mean; 2^64 ns is 584 years, so a sum of latencies does not overflow in practice.
    private var sum: UInt64 = 0

    public init() {
        counts = [UInt64](repeating: 0, count: Self.bucketCount)
    }

    public mutating func record(_ value: UInt64) {
        counts[Self.index(of: value)] += 1
        totalCount += 1
        sum &+= value
        if value > maxValue { maxValue = value }
        if value < minValue { minValue = value }
    }

    public mutating func merge(_ other: LatencyHistogram) {
        guard other.totalCount > 0 else { return }
        for index in counts.indices where other.counts[index] != 0 {
            counts[index] += other.counts[index]
        }
        totalCount += other.totalCount
        sum &+= other.sum
        maxValue = max(maxValue, other.maxValue)
        minValue = min(minValue, other.minValue)
    }

    public var mean: Double {
        totalCount == 0 ? 0 : Double(sum) / Double(totalCount)
    }

    /// The value below which `quantile` (0...1) of the recorded values lie: the highest value of the bucket
    /// holding that rank, as HdrHistogram reports it, never above the largest value recorded. 0 when empty.
    public func value(atQuantile quantile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        let rank = max(1, UInt64((quantile * Double(totalCount)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count != 0 {
            seen += count
            if seen >= rank { return min(Self.highestValue(inBucket: index), maxValue) }
        }
        return maxValue
    }

    static func index(of value: UInt64) -> Int {
        if value < linearLimit { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // ≥ subBucketBits + 1
        let shift = exponent - subBucketBits
        let subBucket = Int(value >> UInt64(shift)) - subBucketCount  // 0..<128
        return Int(linearLimit) + (exponent - subBucketBits - 1) * subBucketCount + subBucket
    }

    static func highestValue(inBucket index: Int) -> UInt64 {
        if index < Int(linearLimit) { return UInt64(index) }
        let offset = index - Int(linearLimit)
        let exponent = offset / subBucketCount + subBucketBits + 1
        let shift = UInt64(exponent - subBucketBits)
        let lowest = UInt64(subBucketCount + offset % subBucketCount) << shift
        return lowest + (1 << shift) - 1
    }
}
