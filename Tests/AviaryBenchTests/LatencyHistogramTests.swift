import Testing

@testable import AviaryBench

struct LatencyHistogramTests {
    @Test func emptyHistogramReportsZero() {
        let histogram = LatencyHistogram()
        #expect(histogram.value(atQuantile: 0.5) == 0)
        #expect(histogram.totalCount == 0)
        #expect(histogram.mean == 0)
    }

    @Test func smallValuesAreExact() {
        var histogram = LatencyHistogram()
        for value in UInt64(1)...100 { histogram.record(value) }
        #expect(histogram.value(atQuantile: 0.5) == 50)
        #expect(histogram.value(atQuantile: 0.99) == 99)
        #expect(histogram.value(atQuantile: 1.0) == 100)
        #expect(histogram.mean == 50.5)
    }

    @Test(arguments: [UInt64(300), 1_000, 123_456, 9_876_543_210, UInt64.max / 3])
    func anyValueIsReportedWithinOneBucketAboveIt(value: UInt64) {
        var histogram = LatencyHistogram()
        histogram.record(value)
        histogram.record(value &* 2 > value ? value * 2 : value)
        let reported = histogram.value(atQuantile: 0.5)
        #expect(reported >= value)
        #expect(Double(reported - value) <= Double(value) / 128)
    }

    @Test func percentilesFollowTheDistribution() {
        var histogram = LatencyHistogram()
        for _ in 0..<990 { histogram.record(1_000) }
        for _ in 0..<10 { histogram.record(1_000_000) }
        #expect(histogram.value(atQuantile: 0.5) < 1_010)
        #expect(histogram.value(atQuantile: 0.99) < 1_010)
        #expect(histogram.value(atQuantile: 0.999) >= 1_000_000)
        #expect(histogram.maxValue == 1_000_000)
    }

    @Test func mergingEqualsRecordingEverythingInOne() {
        var left = LatencyHistogram()
        var right = LatencyHistogram()
        var both = LatencyHistogram()
        for value in stride(from: UInt64(5), to: 5_000_000, by: 7_919) {
            if value % 2 == 0 { left.record(value) } else { right.record(value) }
            both.record(value)
        }
        left.merge(right)
        #expect(left == both)
    }
}
