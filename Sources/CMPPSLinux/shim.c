// One-line forwards to glibc, compiled with _GNU_SOURCE so the GNU
// declarations and macros exist. Each function is a declaration bridge only.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/udp.h>
#include <sched.h>
#include <pthread.h>
#include "CMPPSLinux.h"

_Static_assert(sizeof(struct CMPPSLinux_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr size");
_Static_assert(__builtin_offsetof(struct CMPPSLinux_mmsghdr, msg_len) == __builtin_offsetof(struct mmsghdr, msg_len), "mmsghdr layout");
_Static_assert(sizeof(CMPPSLinux_cpu_set) == sizeof(cpu_set_t), "cpu_set_t size");
_Static_assert(MSG_WAITFORONE == 0x10000, "MSG_WAITFORONE");
_Static_assert(SO_REUSEPORT == 15, "SO_REUSEPORT");
_Static_assert(SO_RCVBUFFORCE == 33 && SO_SNDBUFFORCE == 32, "SO_*BUFFORCE");
_Static_assert(SO_RXQ_OVFL == 40, "SO_RXQ_OVFL");
_Static_assert(SO_INCOMING_CPU == 49, "SO_INCOMING_CPU");
_Static_assert(SO_ATTACH_REUSEPORT_CBPF == 51, "SO_ATTACH_REUSEPORT_CBPF");
_Static_assert(UDP_SEGMENT == 103 && UDP_GRO == 104, "UDP_SEGMENT/UDP_GRO");
_Static_assert(SOL_UDP == 17, "SOL_UDP");

int CMPPSLinux_recvmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, vlen, flags, timeout);
}

int CMPPSLinux_sendmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, vlen, flags);
}

void CMPPSLinux_CPU_ZERO(CMPPSLinux_cpu_set *set) { CPU_ZERO((cpu_set_t *)set); }
void CMPPSLinux_CPU_SET(int cpu, CMPPSLinux_cpu_set *set) { CPU_SET(cpu, (cpu_set_t *)set); }
int CMPPSLinux_CPU_ISSET(int cpu, const CMPPSLinux_cpu_set *set) { return CPU_ISSET(cpu, (const cpu_set_t *)set); }
int CMPPSLinux_CPU_SETSIZE(void) { return CPU_SETSIZE; }
int CMPPSLinux_sched_getaffinity(pid_t pid, CMPPSLinux_cpu_set *set) { return sched_getaffinity(pid, sizeof(cpu_set_t), (cpu_set_t *)set); }
int CMPPSLinux_pthread_setaffinity(pthread_t thread, const CMPPSLinux_cpu_set *set) { return pthread_setaffinity_np(thread, sizeof(cpu_set_t), (const cpu_set_t *)set); }
int CMPPSLinux_sched_getcpu(void) { return sched_getcpu(); }

struct cmsghdr *CMPPSLinux_CMSG_FIRSTHDR(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
struct cmsghdr *CMPPSLinux_CMSG_NXTHDR(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
unsigned char *CMPPSLinux_CMSG_DATA(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
size_t CMPPSLinux_CMSG_SPACE(size_t payload) { return CMSG_SPACE(payload); }
size_t CMPPSLinux_CMSG_LEN(size_t payload) { return CMSG_LEN(payload); }
