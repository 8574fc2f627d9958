/// The system calls that go through ``Syscalls``, by name: what a test names
/// when it asks ``FaultInjection`` to make one fail.
package enum SystemCall: Sendable, Hashable {
    case socket, close, bind, connect, getsockname, getpeername, setsockopt, getsockopt
    case recvmmsg, recvfrom, sendmmsg, send, sendto, ioctl
    case recvmsgErrorQueue
    case open, read, write
    case spawn, waitpid, kill, fcntl
    case listen, accept, poll, recv
    case threadCreate, setAffinity
    case shutdown, eventfd
    case bpfMapCreate, bpfMapUpdate, bpfProgramLoad, bpfLinkCreate, mmap, interfaceIndex, getrlimit
    case stat, rename, unlink
    case opendir, readdir, readlink, access, getaddrinfo, clockNanosleep
}
