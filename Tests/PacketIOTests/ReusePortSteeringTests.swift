#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Testing

/// The classic BPF programs, instruction by instruction, as `bpf_asm -c` would print them.
@Suite struct SteeringProgramTests {
    typealias I = SocketFilterInstruction

    @Test func hashAttachesNothing() {
        #expect(ReusePortSteering.hash.program(groupSize: 4) == [])
    }

    @Test func randomIsLoadModReturn() {
        #expect(ReusePortSteering.random.program(groupSize: 2) == [
            I(code: 0x20, constant: 0xffff_f038),  // ld [SKF_AD_OFF + SKF_AD_RANDOM]
            I(code: 0x94, constant: 2),            // mod #2
            I(code: 0x16),                         // ret a
        ])
    }

    @Test func cpuTestsEachCPUThenFallsBackToModulo() {
        #expect(ReusePortSteering.cpu(cpus: [0, 1]).program(groupSize: 2) == [
            I(code: 0x20, constant: 0xffff_f024),                        // ld [SKF_AD_OFF + SKF_AD_CPU]
            I(code: 0x15, jumpIfTrue: 0, jumpIfFalse: 1, constant: 0),  // jeq #0, 0, 1
            I(code: 0x06, constant: 0),                                  // ret #0
            I(code: 0x15, jumpIfTrue: 0, jumpIfFalse: 1, constant: 1),  // jeq #1, 0, 1
            I(code: 0x06, constant: 1),                                  // ret #1
            I(code: 0x94, constant: 2),                                  // mod #2
            I(code: 0x16),                                               // ret a
        ])
        #expect(ReusePortSteering.cpu(cpus: [8, 3, 5]).program(groupSize: 4).map(\.description) == [
            "ld #cpu", "jeq #8, 0, 1", "ret #0", "jeq #3, 0, 1", "ret #1", "jeq #5, 0, 1", "ret #2", "mod #4", "ret a",
        ])
    }

    @Test func theModeNames() {
        #expect([ReusePortSteering.hash, .random, .cpu(cpus: [1])].map(\.description) == ["hash", "random", "cpu"])
    }

    @Test func attachingOutsideAGroupIsRefused() throws {
        let socket = try UDPSocket(family: .inet)
        try socket.bind(to: loopback(.inet))
        let error = caught { () throws(SocketError) in try ReusePortSteering.random.attach(to: socket, groupSize: 2) }
        #expect(error == SocketError("setsockopt(SO_ATTACH_REUSEPORT_CBPF)", code: EINVAL))
        // The hash needs no program, so it cannot fail.
        #expect(caught { () throws(SocketError) in try ReusePortSteering.hash.attach(to: socket, groupSize: 2) } == nil)
    }
}

/// A reuseport group of sockets on 127.0.0.1, in bind order, with a sender feeding it.
final class SteeredGroup {
    let members: [SocketBox]
    let address: SocketAddress
    let sender: SocketBox

    init(size: Int, steering: ReusePortSteering) throws {
        var members: [SocketBox] = []
        var address = loopback(.inet)
        for _ in 0..<size {
            let socket = try UDPSocket(family: .inet)
            try socket.setReusePort(true)
            try socket.setReceiveBufferSize(4 << 20)
            try socket.setReceiveTimeout(milliseconds: 5)
            try socket.bind(to: address)
            address = try socket.localAddress()
            members.append(SocketBox(socket))
        }
        try steering.attach(to: members[0].socket, groupSize: size)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: address)
        self.members = members
        self.address = address
        self.sender = SocketBox(sender)
    }

    /// Sends `count` datagrams stamped `first`, `first + 1`, … on one flow (the sender's socket).
    func send(count: Int, first: Int) throws {
        try Self.send(descriptor: sender.socket.descriptor, count: count, first: first)
    }

    /// Sends from any thread: stamps, then `sendmmsg` until all went.
    static func send(descriptor: Int32, count: Int, first: Int) throws(SocketError) {
        let batch = SendBatch(capacity: count, payloadSize: 32)
        for i in 0..<count { batch.withUnsafeMutablePayload(at: i) { stamp($0, index: first + i) } }
        var sent = 0
        for _ in 0..<100 where sent < count { sent += try batch.send(descriptor: descriptor, from: sent, to: count) }
        if sent < count { throw SocketError("sendmmsg", code: EAGAIN) }  // the send timeout passed, over and over
    }

    /// Everything queued, by member: loopback delivers in the sender's context, so it is all there.
    func drain() throws -> [[Int]] {
        var received: [[Int]] = Array(repeating: [], count: members.count)
        var batch = ReceiveBatch(capacity: 256, slotSize: 64)
        for (index, member) in members.enumerated() {
            for _ in 0..<10_000 {
                let n = try batch.receive(from: member.socket)
                if n == 0 { break }
                for i in 0..<n { received[index].append(batch.withUnsafeBytes(at: i) { stampedIndex($0) } ?? -1) }
            }
        }
        return received
    }
}

@Suite(.serialized, .enabled(if: Offload.reusePortSteeringSupported, "SO_ATTACH_REUSEPORT_CBPF needs Linux 4.5"))
struct SteeringLoopbackTests {
    static let total = 20_000
    static let round = 1_000

    /// Sends `total` datagrams on one flow in rounds, draining after each so no buffer fills.
    func feed(_ group: SteeredGroup) throws -> [[Int]] {
        var received: [[Int]] = Array(repeating: [], count: group.members.count)
        for first in stride(from: 0, to: Self.total, by: Self.round) {
            try group.send(count: Self.round, first: first)
            for (index, part) in try group.drain().enumerated() { received[index] += part }
        }
        #expect(received.flatMap { $0 }.sorted() == Array(0..<Self.total), "each datagram arrived exactly once")
        return received
    }

    @Test func randomSplitsOneFlowEvenly() throws {
        let counts = try feed(SteeredGroup(size: 2, steering: .random)).map(\.count)
        for count in counts {
            #expect(count >= Self.total * 40 / 100 && count <= Self.total * 60 / 100, "shares \(counts)")
        }
    }

    @Test func hashKeepsOneFlowOnOneSocket() throws {
        let counts = try feed(SteeredGroup(size: 2, steering: .hash)).map(\.count)
        #expect(counts.sorted() == [0, Self.total], "shares \(counts)")
    }

    static let twoCPUs = Set(CPUList.allowed().cpus).isSuperset(of: [0, 1])

    /// (CPUs by socket index, the socket expected for a datagram processed on CPU 0, on CPU 1).
    @Test(.enabled(if: twoCPUs, "needs CPUs 0 and 1"),
          arguments: [([0, 1], 0, 1), ([1, 0], 1, 0), ([7, 6], 0, 1)])
    func cpuFollowsTheSendersCPU(cpus: [Int], onCPU0: Int, onCPU1: Int) throws {
        let group = try SteeredGroup(size: 2, steering: .cpu(cpus: cpus))
        let descriptor = group.sender.socket.descriptor
        let expected = [onCPU0, onCPU1]
        for round in 0..<6 {
            let cpu = round % 2
            let first = round * Self.round
            // On loopback the sending thread's CPU processes the datagram: pin it, then send.
            let ranOn = onFreshThread { () -> [Int] in
                guard (try? CPUList([cpu]).pinCurrentThread()) != nil else { return [] }
                let before = CPUList.currentCPU()
                guard (try? SteeredGroup.send(descriptor: descriptor, count: Self.round, first: first)) != nil else { return [] }
                return [before, CPUList.currentCPU()]
            }
            #expect(ranOn == [cpu, cpu])
            let received = try group.drain()
            #expect(received[expected[cpu]].sorted() == Array(first..<first + Self.round), "round \(round) on CPU \(cpu)")
            #expect(received[1 - expected[cpu]] == [], "round \(round) on CPU \(cpu)")
            // Unconnected sockets: Linux does not record the CPU (-1); if it ever does, it must agree.
            let incoming = try group.members[expected[cpu]].socket.incomingCPU
            #expect(incoming == -1 || incoming == cpu, "SO_INCOMING_CPU \(incoming)")
        }
    }

    @Test(.enabled(if: twoCPUs, "needs CPUs 0 and 1"))
    func incomingCPUOfAConnectedSocketIsTheSendersCPU() throws {
        let receiver = try UDPSocket(family: .inet)
        try receiver.bind(to: loopback(.inet))
        try receiver.setReceiveTimeout(milliseconds: 1000)
        #expect(try receiver.incomingCPU == -1, "nothing received yet")
        let sender = try UDPSocket(family: .inet)
        try sender.bind(to: loopback(.inet))
        try sender.connect(to: receiver.localAddress())
        try receiver.connect(to: sender.localAddress())  // Linux records the CPU for connected sockets only
        let descriptor = sender.descriptor
        var batch = ReceiveBatch(capacity: 4, slotSize: 64)
        for cpu in [0, 1, 0] {
            let sent = onFreshThread { () -> Bool in
                (try? CPUList([cpu]).pinCurrentThread()) != nil
                    && (try? SteeredGroup.send(descriptor: descriptor, count: 1, first: cpu)) != nil
            }
            #expect(sent)
            #expect(try batch.receive(from: receiver) == 1)
            #expect(try receiver.incomingCPU == cpu)
        }
    }
}
