import Testing

@testable import AviaryBench

struct OperationMixTests {
    @Test func weightsNeedNotSumToAHundred() throws {
        let mix = try OperationMix(parsing: "get=9,set=1")
        #expect(mix.totalWeight == 10)
        let draws = (0..<10).map { mix.operation(forDraw: $0) }
        #expect(draws.filter { $0 == .get }.count == 9)
        #expect(draws.filter { $0 == .set }.count == 1)
    }

    @Test func zeroWeightsAreDropped() throws {
        let mix = try OperationMix(parsing: "get=100,set=0")
        #expect(mix.operations == [.get])
    }

    @Test(arguments: ["", "fly=10", "get=-1", "get=x", "get=10,get=5", "set=0"])
    func badMixesAreRefused(text: String) {
        #expect(throws: BenchError.self) { try OperationMix(parsing: text) }
    }
}
