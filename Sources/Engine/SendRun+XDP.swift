#if canImport(Glibc)
import Glibc
#endif
import PacketIO
import Reporting

// `send --xdp`: the same flows, counters and threads as the socket path, each thread
// sending on an AF_XDP socket of its own.
extension SendRun {
    /// Opens the AF_XDP side; each flow's connected socket tells its source address and port.
    static func xdpSenders(_ options: SendOptions, _ xdp: XDPOptions, sockets: [SocketHolder],
                           control: RunControl) throws(RunError) -> XDPSenders {
        var sources: [SocketAddress] = []
        for (index, holder) in sockets.enumerated() {
            do throws(SocketError) {
                sources.append(try holder.socket.localAddress())
            } catch {
                throw RunError("cannot read the source address of flow \(index): \(error)")
            }
        }
        return try XDPSenders(options, xdp, sources: sources, control: control)
    }

    /// Starts one ``XDPSendWorker`` per thread, on queue `i` of the interface.
    func startXDP(_ senders: XDPSenders) throws(RunError) {
        let threadCount = options.threadCount
        let stamps = options.stampsSequence && options.payload >= SequenceHeader.size
        var flowsOfThread = Array(repeating: [Int](), count: threadCount)
        for flow in 0..<options.flowCount { flowsOfThread[options.thread(ofFlow: flow)].append(flow) }
        for index in 0..<threadCount {
            let flows = flowsOfThread[index]
            let work = XDPSendWorker(socket: senders.sockets[index], templates: flows.map { senders.templates[$0] },
                                     flowIDs: flows.map { options.flowKey.flowID(index: UInt16(truncatingIfNeeded: $0)) },
                                     batch: min(options.batch, XDPTransmitSocket.defaultFrameCount / 2), payload: options.payload,
                                     hostTag: stamps ? HostTag.local : nil,
                                     quota: options.count.map { SendOptions.share(of: $0, thread: index, threads: threadCount) },
                                     rate: options.rate.map { $0 / Double(threadCount) }, slot: counters.slot(index),
                                     stop: control.flag, control: control, interface: senders.interface)
            try startThread(index) { () throws(SocketError) in try work.run() }
        }
    }

    /// Starts sending thread `index` on its CPU running `body`, counted in `finished` when it returns.
    func startThread(_ index: Int, _ body: @escaping @Sendable () throws(SocketError) -> Void) throws(RunError) {
        let cpu = options.cpus.map { $0.cpus[index % $0.cpus.count] }
        let control = self.control
        let finished = self.finished
        let registry = threadCPU
        do {
            threads.append(try NativeThread(pinnedTo: cpu, pinFailed: { reason in
                control.fail("cannot pin sending thread \(index) to CPU \(cpu ?? -1): \(reason)")
                finished.count.add(1, ordering: .releasing)
            }) {
                registry.register(index)
                defer {
                    registry.finish(index)
                    finished.count.add(1, ordering: .releasing)
                }
                do { try body() } catch { control.fail("sending thread \(index) failed: \(error)") }
            })
        } catch {
            control.requestStop()
            throw RunError("cannot start sending thread \(index): \(error)")
        }
    }
}
