import AviaryConsensus
import Testing

@Suite struct ZxidTests {
    @Test func splitsEpochAndCounter() {
        let zxid = Zxid.make(epoch: 5, counter: 7)
        #expect(zxid == 0x5_0000_0007)
        #expect(Zxid.epoch(of: zxid) == 5)
        #expect(Zxid.counter(of: zxid) == 7)
        #expect(Zxid.hex(zxid) == "0x500000007")
    }
}
