import Testing
import HostStats

@Suite struct CPUTopologyTests {
    @Test func twoSocketsWithHyperThreads() throws {
        var failures: [HostReadError] = []
        let topology = try CPUTopology.read(Fixture.files(Fixture.article), failures: &failures)
        #expect(failures == [])
        #expect(topology.online == Array(0..<24))
        #expect(topology.siblings(of: 4) == [16])
        #expect(topology.siblings(of: 16) == [4])
        #expect(topology.places[13] == CPUPlace(cpu: 13, core: 1, package: 0, siblings: [1, 13]))
        #expect(topology.places[20] == CPUPlace(cpu: 20, core: 2, package: 1, siblings: [8, 20]))
        #expect(topology.nodes == [0: [0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17], 1: [6, 7, 8, 9, 10, 11, 18, 19, 20, 21, 22, 23]])
        #expect(topology.node(of: 18) == 1)
        #expect(topology.node(of: 5) == 0)
        #expect(topology.node(of: 99) == nil)
        #expect(topology.coreCount == 12)
        #expect(topology.packageCount == 2)
        #expect(topology.siblingGroups.count == 12)
        #expect(topology.siblingGroups.first == [0, 12])
    }

    @Test func offlineCPUHasNoPlaceAndLeavesItsSiblingAlone() throws {
        var failures: [HostReadError] = []
        let topology = try CPUTopology.read(Fixture.files(Fixture.mlx5), failures: &failures)
        #expect(failures == [])
        #expect(topology.online == [0, 1, 2] + Array(4...15))
        #expect(topology.places[3] == nil)
        #expect(topology.siblings(of: 11) == [])
        #expect(topology.siblings(of: 12) == [4])
        #expect(topology.coreCount == 8)
        #expect(topology.packageCount == 1)
        #expect(topology.nodes.keys.sorted() == [0])
    }

    @Test func missingOnlineListIsAnError() {
        var failures: [HostReadError] = []
        #expect(throws: HostReadError.self) {
            try CPUTopology.read(HostFiles(root: "/nonexistent-mpps-root"), failures: &failures)
        }
    }

    @Test func readsThisHost() throws {
        var failures: [HostReadError] = []
        let topology = try CPUTopology.read(failures: &failures)
        #expect(failures == [])
        #expect(!topology.online.isEmpty)
        #expect(topology.online.allSatisfy { topology.places[$0]?.siblings.contains($0) == true })
    }
}
