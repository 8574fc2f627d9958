/// Where to run receiving threads: CPUs on the NIC's NUMA node that do not take its
/// RX interrupts, and are not SMT siblings of ones that do.
///
/// The article measured each alternative with one RX queue busy: another CPU on the
/// queue's node, ~360k pps; the queue's own CPU, ~430k pps but unstable, dropping to
/// zero when the NIC is overwhelmed; its hyper-thread sibling, half speed (~200k pps);
/// a CPU on the other NUMA node, ~330k pps and inconsistent.
package struct ReceiverCPUs: Equatable, Sendable {
    /// How good the choice is, best first.
    package enum Choice: String, Sendable {
        /// On the NIC's node (or any node when it is unknown), clear of RX interrupts and their siblings.
        case clear
        /// Clear of RX interrupts and their siblings, but on another NUMA node than the NIC's.
        case otherNode = "other-node"
        /// Not taking RX interrupts, but SMT siblings of CPUs that do.
        case siblings
        /// Every CPU takes RX interrupts.
        case shared
    }

    /// The suggested CPUs, sorted.
    package var cpus: [Int]
    /// The NUMA node of the NIC(s) looked at, nil when unknown or the machine has one node.
    package var nicNode: Int?
    /// The CPUs that take the interfaces' RX interrupts.
    package var interruptCPUs: [Int]
    /// Their SMT siblings (excluding interrupt CPUs themselves).
    package var interruptSiblings: [Int]
    /// How good the choice is.
    package var choice: Choice
    /// Why these CPUs, in one line.
    package var reason: String

    /// Creates a suggestion.
    package init(cpus: [Int], nicNode: Int?, interruptCPUs: [Int], interruptSiblings: [Int], choice: Choice, reason: String) {
        self.cpus = cpus
        self.nicNode = nicNode
        self.interruptCPUs = interruptCPUs
        self.interruptSiblings = interruptSiblings
        self.choice = choice
        self.reason = reason
    }
}
