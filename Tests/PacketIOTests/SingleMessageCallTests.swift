#if canImport(Glibc)
import Glibc
#endif
import Testing
import PacketIO

// A call for one message is made with recvfrom/sendto, the kernel's cheaper path
// for one (BENCHMARKS s). What it returns must read exactly as recvmmsg/sendmmsg
// would have made it read: lengths, truncation, sources, the end, and counts.

@Suite struct SingleMessageCallTests {
    /// Datagrams of 0, 1, 40 and 41 bytes into 40-byte slots, received one a call
    /// through recvfrom (no control space) and through recvmmsg (control space):
    /// the same lengths, original lengths, truncation flags and sources.
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func aCallForOneReadsAsABatchCallDoes(family: SocketAddress.Family) throws {
        let receiver = try roomyReceiver(family)
        let sender = try UDPSocket(family: family)
        try sender.connect(to: try receiver.localAddress())
        let senderAddress = try sender.localAddress()
        let lengths = [0, 1, 40, 41]
        var single = ReceiveBatch(capacity: 4, slotSize: 40, recordsSources: true, controlSize: 0)
        var batch = ReceiveBatch(capacity: 4, slotSize: 40, recordsSources: true)
        var seen: [[String]] = [[], []]
        for (which, limit) in [1, 4].enumerated() {
            for length in lengths { try sender.send([UInt8](repeating: UInt8(length), count: length)) }
            var got = 0
            while got < lengths.count {
                let n = which == 0 ? try single.receive(from: receiver, limit: limit) : try batch.receive(from: receiver, limit: limit)
                #expect(n >= 1 && n <= limit)
                for index in 0..<n {
                    let line = which == 0
                        ? describe(single, index, sender: senderAddress) : describe(batch, index, sender: senderAddress)
                    seen[which].append(line)
                }
                got += n
            }
        }
        #expect(seen[0] == ["0/0 whole ours", "1/1 whole ours", "40/40 whole ours", "40/41 truncated ours"])
        #expect(seen[1] == seen[0])
    }

    private func describe(_ batch: borrowing ReceiveBatch, _ index: Int, sender: SocketAddress) -> String {
        let bytes = batch.withUnsafeBytes(at: index) { Array($0) }
        let fill = bytes.allSatisfy { Int($0) == batch.originalLength(at: index) }
        return "\(batch.length(at: index))/\(batch.originalLength(at: index)) "
            + (batch.isTruncated(at: index) ? "truncated" : "whole")
            + (batch.sourceAddress(at: index) == sender && fill ? " ours" : " \(String(describing: batch.sourceAddress(at: index)))")
    }

    /// Without sources, a call for one records none, as a batch call does.
    @Test func aCallForOneWithoutSourcesRecordsNone() throws {
        let receiver = try roomyReceiver(.inet)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        var single = ReceiveBatch(capacity: 2, recordsSources: false, controlSize: 0)
        try sender.send([1, 2, 3])
        #expect(try single.receive(from: receiver, limit: 1) == 1)
        #expect(single.length(at: 0) == 3)
        #expect(single.sourceAddress(at: 0) == nil)
        single.recordsSources = true
        try sender.send([4, 5])
        #expect(try single.receive(from: receiver, limit: 1) == 1)
        #expect(single.sourceAddress(at: 0) == (try sender.localAddress()))
    }

    /// After a shutdown for reading, the datagrams queued come one a call, then the end.
    @Test(arguments: [true, false])
    func theEndComesAfterTheQueuedDatagrams(recordsSources: Bool) throws {
        let receiver = try roomyReceiver(.inet)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        try sender.send([7])
        try sender.send([8, 8])
        var single = ReceiveBatch(capacity: 4, recordsSources: recordsSources, controlSize: 0)
        #expect(try single.receive(from: receiver, limit: 1) == 1)
        #expect(single.length(at: 0) == 1)
        try receiver.shutdownReceiving()
        #expect(try single.receive(from: receiver, limit: 1) == 1)
        #expect(single.length(at: 0) == 2)
        #expect(throws: SocketError("recvmmsg", code: ESHUTDOWN)) { try single.receive(from: receiver, limit: 1) }
        #expect(single.count == 0)
    }

    /// One message to its own destination goes with sendto, and arrives whole.
    @Test(arguments: [SocketAddress.Family.inet, .inet6])
    func oneMessageGoesToItsDestination(family: SocketAddress.Family) throws {
        let receiver = try roomyReceiver(family)
        let sender = try UDPSocket(family: family)
        try sender.bind(to: .wildcard(family, port: 0))
        let batch = SendBatch(capacity: 3, payloadSize: 16, perMessageDestinations: true)
        for index in 0..<3 {
            batch.setDestination(try receiver.localAddress(), at: index)
            [UInt8](repeating: UInt8(index + 1), count: 5 + index).withUnsafeBytes { batch.setMessage(copying: $0, at: index) }
        }
        var state = SendState()
        let one = batch.sendAll(from: 1, to: 2, descriptor: sender.descriptor, state: &state)
        #expect(one.messages == 1 && one.datagrams == 1 && one.calls == 1 && one.error == nil)
        #expect(try batch.send(descriptor: sender.descriptor, from: 2, to: 3) == 1)
        var received = ReceiveBatch(capacity: 4)
        var seen: [[UInt8]] = []
        while seen.count < 2 {
            let n = try received.receive(from: receiver)
            for index in 0..<n { seen.append(received.withUnsafeBytes(at: index) { Array($0) }) }
        }
        #expect(seen == [[UInt8](repeating: 2, count: 6), [UInt8](repeating: 3, count: 7)])
    }
}

#if DEBUG  // FaultInjection exists in debug builds only.
/// Which call a batch makes, seen through the faults each call kind can be given.
@Suite struct SingleMessageCallFaultTests {
    @Test func aCallForOneUsesRecvfromAndACallForMoreRecvmmsg() throws {
        let receiver = try roomyReceiver(.inet)
        let sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        for byte: UInt8 in 1...3 { try sender.send([byte]) }
        var lean = ReceiveBatch(capacity: 4, controlSize: 0)
        var roomy = ReceiveBatch(capacity: 4)
        let rule = FaultInjection.fail(.recvfrom, with: ENOMEM, times: 2, descriptor: receiver.descriptor)
        defer { FaultInjection.remove(rule) }
        #expect(throws: SocketError("recvfrom", code: ENOMEM)) { try lean.receive(from: receiver, limit: 1) }
        #expect(try lean.receive(from: receiver, limit: 2) == 2)
        // Control space means recvmmsg even for one: recvfrom carries no control messages.
        #expect(try roomy.receive(from: receiver, limit: 1) == 1)
        #expect(FaultInjection.remaining(rule) == 1)
        #expect(throws: SocketError("recvfrom", code: ENOMEM)) { try lean.receive(from: receiver, limit: 1) }
        #expect(FaultInjection.remaining(rule) == 0)
    }

    @Test func aRefusedSendOfOneIsCountedAsSendmmsgsWouldBe() throws {
        let receiver = try roomyReceiver(.inet)
        var sender = try UDPSocket(family: .inet)
        try sender.connect(to: try receiver.localAddress())
        let batch = SendBatch(capacity: 2, payloadSize: 8)
        FaultInjection.fail(.sendto, with: ENOBUFS, descriptor: sender.descriptor)
        let refused = batch.sendAll(to: 1, on: &sender)
        #expect(refused.noBuffers == 1 && refused.messages == 0)
        let rule = FaultInjection.fail(.sendto, with: EAGAIN, times: 2, descriptor: sender.descriptor)
        defer { FaultInjection.remove(rule) }
        #expect(batch.sendAll(to: 1, on: &sender).wouldBlock)
        let two = batch.sendAll(to: 2, on: &sender)
        #expect(two.messages == 2 && two.calls == 1)
        #expect(FaultInjection.remaining(rule) == 1)
        var received = ReceiveBatch(capacity: 4)
        #expect(try received.receive(from: receiver) == 2)
    }
}
#endif
