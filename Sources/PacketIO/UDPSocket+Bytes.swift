// One-off sends of any bytes a program holds ([UInt8], a String's utf8, a
// slice, Data) without unsafe pointers. Storage that is contiguous (arrays,
// native strings) is sent in place; anything else is copied once into an array.
// The hot path stays ``SendBatch``; these are for the occasional datagram.
extension UDPSocket {
    /// Sends `bytes` as one datagram on a connected socket; returns the bytes sent.
    /// Sent in place when the collection's storage is contiguous, else after one
    /// copy into an array (an allocation). The corresponding C function is `send(2)`.
    @discardableResult
    public func send(_ bytes: some Collection<UInt8>) throws(SocketError) -> Int {
        let descriptor = descriptor
        return try Self.withContiguousBytes(bytes) { (buffer) throws(SocketError) -> Int in
            try Syscalls.send(descriptor, buffer)
        }
    }

    /// Sends `bytes` as one datagram to `address`; returns the bytes sent.
    /// Sent in place when the collection's storage is contiguous, else after one
    /// copy into an array (an allocation). The corresponding C function is `sendto(2)`.
    @discardableResult
    public func send(_ bytes: some Collection<UInt8>, to address: SocketAddress) throws(SocketError) -> Int {
        let descriptor = descriptor
        return try Self.withContiguousBytes(bytes) { (buffer) throws(SocketError) -> Int in
            try Syscalls.send(descriptor, buffer, to: address)
        }
    }

    /// Calls `body` with `bytes` in contiguous memory, keeping its typed error
    /// (the standard library's `withContiguousStorageIfAvailable` rethrows an
    /// untyped one, so the outcome travels out as a `Result`).
    private static func withContiguousBytes<C: Collection<UInt8>>(
        _ bytes: C, _ body: (UnsafeRawBufferPointer) throws(SocketError) -> Int
    ) throws(SocketError) -> Int {
        let inPlace: Result<Int, SocketError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SocketError) -> Int in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let inPlace { return try inPlace.get() }
        let copy = Array(bytes)
        let copied: Result<Int, SocketError> = copy.withUnsafeBytes { buffer in
            Result { () throws(SocketError) -> Int in try body(buffer) }
        }
        return try copied.get()
    }
}
