// UDPFrame(parsing:) on any Ethernet frame, as every frame an AF_XDP socket
// receives is read (`mpps recv --xdp`): no trap, a payload inside the frame and no
// longer than the frame minus the headers, and both addresses readable; then the
// payload counted as XDPReceiveWorker counts it, through a Tally.
import Engine
import Reporting
import PacketIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput(data, size)
    guard let frame = UDPFrame(parsing: input.bytes) else { return 0 }
    let start = input.bytes.baseAddress!
    let payload = frame.payload
    if payload.count > 0 {
        require(payload.baseAddress! >= start && payload.baseAddress! + payload.count <= start + input.bytes.count,
                "the payload lies inside the frame")
    }
    require(payload.count <= input.bytes.count - 14 - 20 - 8, "Ethernet, IP and UDP headers come before the payload")
    require(frame.destination.port == frame.destinationPort, "the destination carries the port")
    _ = "\(frame.source) \(frame.destination)"
    var tally = Tally(hostTag: HostTag.local)
    tally.startBatch()
    if tally.hasHeader(payload) { _ = tally.countHeader(payload) }
    _ = tally.result()
    return 0
}
