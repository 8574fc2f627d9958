import PacketIO
import Synchronization
import Testing

@Suite("ThreadCounters")
struct ThreadCountersTests {
    @Test func startsAtZero() {
        let counters = ThreadCounters(count: 3)
        #expect(counters.count == 3)
        for i in 0..<3 { #expect(counters.read(i) == CounterSnapshot()) }
        #expect(counters.total() == CounterSnapshot())
    }

    @Test func publishedValuesReadBackExactly() {
        let counters = ThreadCounters(count: 4)
        let published = CounterSnapshot(packets: 1, bytes: 2, calls: 3, truncated: 4, refused: 5, noBuffers: 6)
        counters.slot(2).publish(published)
        #expect(counters.read(2) == published)
        #expect(counters.slot(2).read() == published)
        let maximal = CounterSnapshot(packets: .max, bytes: .max - 1, calls: 1 << 63, truncated: 0, refused: 7, noBuffers: .max)
        counters.slot(3).publish(maximal)
        #expect(counters.read(3) == maximal)
        // A later publish replaces the earlier one rather than adding to it.
        counters.slot(2).publish(CounterSnapshot(packets: 10))
        #expect(counters.read(2) == CounterSnapshot(packets: 10))
    }

    @Test func neighbouringSlotsDoNotDisturbEachOther() {
        let counters = ThreadCounters(count: 3)
        let all = CounterSnapshot(packets: .max, bytes: .max, calls: .max, truncated: .max, refused: .max, noBuffers: .max)
        counters.slot(1).publish(all)
        #expect(counters.read(0) == CounterSnapshot())
        #expect(counters.read(1) == all)
        #expect(counters.read(2) == CounterSnapshot())
        counters.slot(0).publish(CounterSnapshot(packets: 3))
        counters.slot(2).publish(CounterSnapshot(noBuffers: 4))
        #expect(counters.read(1) == all)
    }

    /// Reads the slot's private pointer by reflection: the layout promise
    /// (one 128-byte block per slot) is what keeps writers off each other's lines.
    @Test func slotsAre128BytesApartAnd128ByteAligned() throws {
        let counters = ThreadCounters(count: 4)
        func address(_ slot: CounterSlot) throws -> Int {
            let field = try #require(Mirror(reflecting: slot).children.first { $0.label == "fields" }?.value)
            let pointer = try #require(field as? UnsafeMutablePointer<Atomic<UInt64>>)
            return Int(bitPattern: pointer)
        }
        let addresses = try (0..<4).map { try address(counters.slot($0)) }
        #expect(addresses[0] % 128 == 0)
        #expect(zip(addresses.dropFirst(), addresses).map { $0 - $1 } == [128, 128, 128])
        // Six 8-byte counters fit inside one block.
        #expect(6 * MemoryLayout<Atomic<UInt64>>.stride <= 128)
    }

    @Test func totalSumsEverySlot() {
        let counters = ThreadCounters(count: 3)
        counters.slot(0).publish(CounterSnapshot(packets: 10, bytes: 320, calls: 1))
        counters.slot(1).publish(CounterSnapshot(packets: 20, bytes: 640, calls: 2, truncated: 1))
        counters.slot(2).publish(CounterSnapshot(packets: 5, bytes: 160, calls: 1, refused: 2, noBuffers: 3))
        #expect(counters.total() == CounterSnapshot(packets: 35, bytes: 1120, calls: 4, truncated: 1, refused: 2, noBuffers: 3))
    }

    @Test func sinceComputesFieldWiseDeltas() {
        let earlier = CounterSnapshot(packets: 100, bytes: 3200, calls: 4, truncated: 1, refused: 0, noBuffers: 2)
        let later = CounterSnapshot(packets: 250, bytes: 8000, calls: 9, truncated: 1, refused: 3, noBuffers: 2)
        #expect(later.since(earlier) == CounterSnapshot(packets: 150, bytes: 4800, calls: 5, truncated: 0, refused: 3, noBuffers: 0))
        #expect(later.since(later) == CounterSnapshot())
        #expect(earlier + later.since(earlier) == later)
    }

    @Test func concurrentWritersEachSeeOnlyTheirOwnSlot() async {
        let counters = ThreadCounters(count: 4)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<4 {
                let slot = counters.slot(i)
                group.addTask {
                    var totals = CounterSnapshot()
                    for _ in 0..<10_000 {
                        totals.packets &+= UInt64(i + 1)
                        totals.calls &+= 1
                        slot.publish(totals)
                    }
                }
            }
        }
        for i in 0..<4 {
            #expect(counters.read(i) == CounterSnapshot(packets: UInt64(10_000 * (i + 1)), calls: 10_000))
        }
        #expect(counters.total() == CounterSnapshot(packets: 100_000, calls: 40_000))
    }
}
