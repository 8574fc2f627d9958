#if DEBUG
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Makes chosen system calls fail with a chosen errno, for tests of the paths
/// no loopback run reaches (ENOBUFS, EIO on a GSO send, EMFILE, ENOMEM).
///
/// Exists in debug builds only: release builds compile every check out, so
/// the hot path pays nothing. When no rule is armed, a call pays one relaxed
/// atomic load. Rules match by descriptor (or a predicate on it) or by the
/// calling thread, never globally, so tests running in parallel do not see
/// each other's faults.
package enum FaultInjection {
    /// One armed fault.
    struct Rule: Sendable {
        let id: Int
        let call: SystemCall
        let code: Int32
        var remaining: Int
        let matches: @Sendable (Int32) -> Bool
        let thread: pthread_t?
    }

    private static let armedRules = Atomic<Int>(0)
    private static let state = Mutex<(nextID: Int, rules: [Rule])>((1, []))

    /// Fails the next `times` calls of `call` on `descriptor` with `code`.
    /// Returns the rule's id for ``remove(_:)``.
    @discardableResult
    package static func fail(_ call: SystemCall, with code: Int32, times: Int = 1, descriptor: Int32) -> Int {
        add(call, code, times, matches: { $0 == descriptor }, thread: nil)
    }

    /// Fails the next `times` calls of `call` whose descriptor satisfies
    /// `matches` (for sockets a run creates itself: match by their peer, say).
    @discardableResult
    package static func fail(_ call: SystemCall, with code: Int32, times: Int = 1,
                             where matches: @escaping @Sendable (Int32) -> Bool) -> Int {
        add(call, code, times, matches: matches, thread: nil)
    }

    /// Fails the next `times` calls of `call` made by the calling thread
    /// (for calls that have no descriptor yet, such as `socket`).
    @discardableResult
    package static func failOnThisThread(_ call: SystemCall, with code: Int32, times: Int = 1) -> Int {
        add(call, code, times, matches: { _ in true }, thread: pthread_self())
    }

    /// Disarms a rule before it has fired `times` times.
    package static func remove(_ id: Int) {
        state.withLock { state in
            let before = state.rules.count
            state.rules.removeAll { $0.id == id }
            armedRules.subtract(before - state.rules.count, ordering: .relaxed)
        }
    }

    /// Rules armed since the process started, spent and removed ones included.
    package static var armedSoFar: Int { state.withLock { $0.nextID - 1 } }

    /// Whether a rule is armed now. While one is, every call of its kind on any
    /// thread runs its predicate, which may allocate: a test that counts a thread's
    /// allocations measures again when a rule was armed during its measurement.
    package static var anyArmed: Bool { armedRules.load(ordering: .relaxed) > 0 }

    /// How many more calls the rule will fail (0 once spent or removed).
    package static func remaining(_ id: Int) -> Int {
        state.withLock { state in state.rules.first { $0.id == id }?.remaining ?? 0 }
    }

    private static func add(_ call: SystemCall, _ code: Int32, _ times: Int, matches: @escaping @Sendable (Int32) -> Bool,
                            thread: pthread_t?) -> Int {
        precondition(times >= 1, "a fault fires at least once")
        return state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            state.rules.append(Rule(id: id, call: call, code: code, remaining: times, matches: matches, thread: thread))
            armedRules.add(1, ordering: .relaxed)
            return id
        }
    }

    /// The errno to fail this call with, if a rule matches; spends one firing of it.
    @inline(__always)
    static func take(_ call: SystemCall, descriptor: Int32) -> Int32? {
        if armedRules.load(ordering: .relaxed) == 0 { return nil }
        return takeArmed(call, descriptor: descriptor)
    }

    /// Looks at the armed rules one at a time, in the order they were armed, and
    /// allocates nothing: a thread whose calls no rule matches (a zero-allocation
    /// test running beside a fault test) pays a lock per rule, never a heap block.
    private static func takeArmed(_ call: SystemCall, descriptor: Int32) -> Int32? {
        let me = pthread_self()
        var after = 0
        while true {
            // The next candidate after the last one looked at; ids only grow, so a rule
            // armed or removed meanwhile is neither skipped twice nor seen twice.
            let candidate: Rule? = state.withLock { state in
                for rule in state.rules where rule.id > after && rule.call == call
                    && (rule.thread.map { pthread_equal($0, me) != 0 } ?? true) {
                    return rule
                }
                return nil
            }
            guard let rule = candidate else { return nil }
            after = rule.id
            // Predicates run outside the lock: one may make a system call of its own (getpeername).
            guard rule.matches(descriptor) else { continue }
            let fired: Bool = state.withLock { state in
                guard let index = state.rules.firstIndex(where: { $0.id == rule.id }) else { return false }
                state.rules[index].remaining -= 1
                if state.rules[index].remaining == 0 {
                    state.rules.remove(at: index)
                    armedRules.subtract(1, ordering: .relaxed)
                }
                return true
            }
            if fired { return rule.code }
        }
    }
}
#endif
