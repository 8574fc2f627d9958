/// One stage of `mpps demo`: how the sender and receiver are set up, and the
/// sentence that says what the stage shows.
struct DemoStage: Sendable {
    /// A short name for the stage's lines: `plain`, `gso`, `gro`.
    let name: String
    /// What the stage shows, in one sentence.
    let shows: String
    /// Datagrams per GSO message from the sender (1: no GSO).
    let segments: Int
    /// UDP GRO on the receiving socket.
    let coalescing: Bool

    /// The three stages, from the article's loop to the kernel's offloads. The
    /// datagrams per GSO message are 64: half of the 128 the kernel accepts,
    /// enough that the sender is no longer the limit (measured here).
    static let all = [
        DemoStage(name: "plain", shows: "the article's loop: one thread reading with recvmmsg, fed by one thread sending with sendmmsg; "
                  + "on loopback the kernel delivers in the sender's context, so the sender is the limit here", segments: 1, coalescing: false),
        DemoStage(name: "gso", shows: "the same receiver fed by a GSO sender (64 datagrams per send): the sender is no longer the limit, "
                  + "so this is the receiving thread's own limit, and what it cannot read is dropped at its socket", segments: 64, coalescing: false),
        DemoStage(name: "gro", shows: "UDP GRO on the receiving socket: the kernel hands over up to 64 datagrams per message, "
                  + "so one thread counts tens of millions of datagrams per second", segments: 64, coalescing: true),
    ]
}
