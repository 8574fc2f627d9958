#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO
@testable import Engine
import Reporting

/// `mpps recv --steer`: the program attached to a receive run's SO_REUSEPORT group.
@Suite(.serialized) struct SteeringRunTests {
    static let twoCPUs = Set(CPUList.allowed().cpus).isSuperset(of: [0, 1])

    @Test func steeringNeedsAGroupAndCPUSteeringACPUPerThread() {
        var options = ReceiveOptions()
        options.steering = .random
        #expect(options.steeringProblem == "--steer random needs --reuseport: steering picks a socket of an SO_REUSEPORT group")
        options.reusePort = true
        #expect(options.steeringProblem == nil)
        options.steering = .cpu
        options.threads = 3
        options.cpus = CPUList([4, 6])
        #expect(options.steeringProblem == "--steer cpu needs a CPU per receiving thread: 3 threads, but 2 CPUs (4,6): list more with --cpus, or use fewer --threads")
        options.threads = 2
        #expect(options.steeringProblem == nil)
        #expect(options.threadCPUs == [4, 6])
        #expect(options.reusePortSteering == .cpu(cpus: [4, 6]))
        // Without --cpus, CPU steering pins to the CPUs this process may use.
        options.cpus = nil
        options.threads = 1
        #expect(options.threadCPUs == [CPUList.allowed().cpus[0]])
        options.steering = .hash
        #expect(options.threadCPUs == nil, "unpinned unless asked")
        #expect(options.reusePortSteering == nil)
    }

    @Test func aRunRefusesSteeringItCannotDo() {
        var options = ReceiveOptions()
        options.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        options.steering = .cpu
        #expect(throws: RunError("--steer cpu needs --reuseport: steering picks a socket of an SO_REUSEPORT group", status: RunError.usage)) {
            _ = try ReceiveRun(options)
        }
    }

    /// A two-thread reuseport receiver fed one flow per `senders` entry (its CPUs, nil unpinned), `count` each.
    func run(steering: SteeringMode, cpus: CPUList? = nil, senders: [CPUList?], count: UInt64) throws -> (threads: [UInt64], incoming: [Int]) {
        var receive = ReceiveOptions()
        receive.address = SocketAddress(ipv4: 127, 0, 0, 1, port: 0)
        receive.threads = 2
        receive.reusePort = true
        receive.steering = steering
        receive.cpus = cpus
        receive.receiveBuffer = 8 << 20
        let receiver = try ReceiveRun(receive)
        #expect(receiver.options.steering == steering, "the kernel took the program")
        #expect(receiver.control.noticesGiven == [])
        try receiver.start()
        var expected: UInt64 = 0
        for senderCPUs in senders {
            var send = SendOptions()
            send.targets = [receiver.boundAddress]
            send.cpus = senderCPUs
            send.count = count
            send.rate = 100_000
            let sender = try SendRun(send)
            try sender.start()
            #expect(waitUntil(seconds: 10) { sender.isFinished })
            sender.stop()
            expected += count
            #expect(waitUntil(seconds: 5) { receiver.counters.total().packets == expected })
        }
        receiver.stop()
        return ((0..<2).map { receiver.counters.read($0).packets }, receiver.incomingCPUs())
    }

    @Test(.enabled(if: Offload.reusePortSteeringSupported))
    func randomSplitsOneFlow() throws {
        let (threads, incoming) = try run(steering: .random, senders: [nil], count: 20_000)
        #expect(threads.allSatisfy { $0 >= 8_000 && $0 <= 12_000 }, "per thread \(threads)")
        #expect(incoming.count == 2)
    }

    @Test func hashKeepsOneFlowOnOneThread() throws {
        let (threads, _) = try run(steering: .hash, senders: [nil], count: 20_000)
        #expect(threads.sorted() == [0, 20_000])
    }

    @Test(.enabled(if: Offload.reusePortSteeringSupported && twoCPUs, "needs CPUs 0 and 1"))
    func cpuSendsEachDatagramToTheThreadOnItsCPU() throws {
        // On loopback the sender's CPU processes the datagram: 5000 from CPU 0, 5000 from CPU 1, then 5000 from CPU 0.
        let (threads, incoming) = try run(steering: .cpu, cpus: CPUList([0, 1]),
                                          senders: [CPUList([0]), CPUList([1]), CPUList([0])], count: 5_000)
        #expect(threads == [10_000, 5_000])
        #expect(incoming.allSatisfy { $0 == -1 || $0 == 0 || $0 == 1 }, "\(incoming)")
    }
}
