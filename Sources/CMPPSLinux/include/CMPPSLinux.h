// The declarations and macro wrappers Swift cannot import on its own.
//
// Swift's Glibc module is built without _GNU_SOURCE, so recvmmsg, sendmmsg,
// struct mmsghdr and the affinity calls are invisible to Swift, and C macros
// (CPU_SET, CMSG_*) never are importable. This header declares prefixed
// equivalents; shim.c forwards each to libc. No loops and no logic live here.
#ifndef CMPPSLINUX_H
#define CMPPSLINUX_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sched.h>
#include <pthread.h>
#include <time.h>

/// Layout-identical to glibc's `struct mmsghdr` (checked by _Static_assert in shim.c).
struct CMPPSLinux_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// An opaque CPU set the size of glibc's `cpu_set_t` (1024 CPUs).
typedef struct { unsigned long bits[1024 / (8 * sizeof(unsigned long))]; } CMPPSLinux_cpu_set;

int CMPPSLinux_recvmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout);
int CMPPSLinux_sendmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags);

void CMPPSLinux_CPU_ZERO(CMPPSLinux_cpu_set *set);
void CMPPSLinux_CPU_SET(int cpu, CMPPSLinux_cpu_set *set);
int CMPPSLinux_CPU_ISSET(int cpu, const CMPPSLinux_cpu_set *set);
int CMPPSLinux_CPU_SETSIZE(void);
int CMPPSLinux_sched_getaffinity(pid_t pid, CMPPSLinux_cpu_set *set);
int CMPPSLinux_pthread_setaffinity(pthread_t thread, const CMPPSLinux_cpu_set *set);
int CMPPSLinux_sched_getcpu(void);

struct cmsghdr *CMPPSLinux_CMSG_FIRSTHDR(struct msghdr *msg);
struct cmsghdr *CMPPSLinux_CMSG_NXTHDR(struct msghdr *msg, struct cmsghdr *cmsg);
unsigned char *CMPPSLinux_CMSG_DATA(struct cmsghdr *cmsg);
size_t CMPPSLinux_CMSG_SPACE(size_t payload);
size_t CMPPSLinux_CMSG_LEN(size_t payload);

// Constants that glibc defines only under _GNU_SOURCE or in linux/ headers.
static const int CMPPSLinux_MSG_WAITFORONE = 0x10000;
static const int CMPPSLinux_SO_REUSEPORT = 15;
static const int CMPPSLinux_SO_RCVBUFFORCE = 33;
static const int CMPPSLinux_SO_SNDBUFFORCE = 32;
static const int CMPPSLinux_SO_RXQ_OVFL = 40;
static const int CMPPSLinux_SO_INCOMING_CPU = 49;
static const int CMPPSLinux_SO_ATTACH_REUSEPORT_CBPF = 51;
static const int CMPPSLinux_UDP_SEGMENT = 103;
static const int CMPPSLinux_UDP_GRO = 104;
static const int CMPPSLinux_SOL_UDP = 17;

#endif
