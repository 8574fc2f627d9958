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
#include <stdint.h>
#include <sys/eventfd.h>

/// Layout-identical to glibc's `struct mmsghdr` (checked by _Static_assert in shim.c).
struct CMPPSLinux_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

/// An opaque CPU set the size of glibc's `cpu_set_t` (1024 CPUs).
typedef struct { unsigned long bits[1024 / (8 * sizeof(unsigned long))]; } CMPPSLinux_cpu_set;

int CMPPSLinux_recvmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout);
int CMPPSLinux_sendmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags);
/// accept4(2), a GNU extension: `mpps serve` takes connections close-on-exec and non-blocking in one call.
int CMPPSLinux_accept4(int fd, int flags);

void CMPPSLinux_CPU_ZERO(CMPPSLinux_cpu_set *set);
void CMPPSLinux_CPU_SET(int cpu, CMPPSLinux_cpu_set *set);
int CMPPSLinux_CPU_ISSET(int cpu, const CMPPSLinux_cpu_set *set);
int CMPPSLinux_CPU_SETSIZE(void);
int CMPPSLinux_sched_getaffinity(pid_t pid, CMPPSLinux_cpu_set *set);
int CMPPSLinux_pthread_setaffinity(pthread_t thread, const CMPPSLinux_cpu_set *set);
int CMPPSLinux_sched_getcpu(void);
/// gettid(2): the calling thread's id, as /proc/self/task/ID names it.
pid_t CMPPSLinux_gettid(void);

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
/// poll(2)'s "the peer shut down, or this socket was shut down for reading" (a GNU name).
static const short CMPPSLinux_POLLRDHUP = 0x2000;

// Destination addresses of received datagrams (IP_PKTINFO, IPV6_RECVPKTINFO) and
// the layouts of the control messages that carry them (checked in shim.c).
static const int CMPPSLinux_IP_PKTINFO = 8;
static const int CMPPSLinux_IPV6_RECVPKTINFO = 49;
static const int CMPPSLinux_IPV6_PKTINFO = 50;
static const int CMPPSLinux_IN_PKTINFO_SIZE = 12;
static const int CMPPSLinux_IN_PKTINFO_ADDR_OFFSET = 8;
static const int CMPPSLinux_IN6_PKTINFO_SIZE = 20;
static const int CMPPSLinux_IN6_PKTINFO_ADDR_OFFSET = 0;

// The socket error queue (IP_RECVERR, IPV6_RECVERR, recvmsg with MSG_ERRQUEUE): the
// layout of <linux/errqueue.h>'s `struct sock_extended_err` and its origins (checked in shim.c).
// The offending node's sockaddr follows the 16-byte struct (SO_EE_OFFENDER).
static const int CMPPSLinux_SOCK_EXTENDED_ERR_SIZE = 16;
static const int CMPPSLinux_SOCK_EXTENDED_ERR_ORIGIN_OFFSET = 4;
static const int CMPPSLinux_SOCK_EXTENDED_ERR_TYPE_OFFSET = 5;
static const int CMPPSLinux_SOCK_EXTENDED_ERR_CODE_OFFSET = 6;
static const int CMPPSLinux_SOCK_EXTENDED_ERR_INFO_OFFSET = 8;
static const uint8_t CMPPSLinux_SO_EE_ORIGIN_NONE = 0;
static const uint8_t CMPPSLinux_SO_EE_ORIGIN_LOCAL = 1;
static const uint8_t CMPPSLinux_SO_EE_ORIGIN_ICMP = 2;
static const uint8_t CMPPSLinux_SO_EE_ORIGIN_ICMP6 = 3;

/// Layout-identical to `struct ipv6_mreq` (IPV6_JOIN_GROUP, IPV6_LEAVE_GROUP; checked in shim.c):
/// glibc's holds an `in6_addr` union, which Swift does not take as plain bytes.
struct CMPPSLinux_ipv6_mreq {
    uint8_t multiaddr[16];
    uint32_t interface;
};

// Classic BPF for SO_ATTACH_REUSEPORT_CBPF: the layouts of <linux/filter.h>
// (checked by _Static_assert in shim.c). PacketIO builds the programs in Swift.

/// Layout-identical to `struct sock_filter`: one classic BPF instruction.
struct CMPPSLinux_sock_filter {
    uint16_t code;
    uint8_t jt;
    uint8_t jf;
    uint32_t k;
};

/// Layout-identical to `struct sock_fprog`: a program as setsockopt takes it.
struct CMPPSLinux_sock_fprog {
    unsigned short len;
    struct CMPPSLinux_sock_filter *filter;
};

static const uint16_t CMPPSLinux_BPF_LD = 0x00;
static const uint16_t CMPPSLinux_BPF_ALU = 0x04;
static const uint16_t CMPPSLinux_BPF_JMP = 0x05;
static const uint16_t CMPPSLinux_BPF_RET = 0x06;
static const uint16_t CMPPSLinux_BPF_W = 0x00;
static const uint16_t CMPPSLinux_BPF_ABS = 0x20;
static const uint16_t CMPPSLinux_BPF_MOD = 0x90;
static const uint16_t CMPPSLinux_BPF_JEQ = 0x10;
static const uint16_t CMPPSLinux_BPF_K = 0x00;
static const uint16_t CMPPSLinux_BPF_A = 0x10;
static const int CMPPSLinux_BPF_MAXINSNS = 4096;
static const int32_t CMPPSLinux_SKF_AD_OFF = -0x1000;
static const int32_t CMPPSLinux_SKF_AD_CPU = 36;
static const int32_t CMPPSLinux_SKF_AD_RANDOM = 56;

// ethtool over ioctl(SIOCETHTOOL), for HostStats. Layouts match <linux/ethtool.h>
// (checked by _Static_assert in shim.c); the variable-length tails the kernel
// writes after each header are addressed by the *_DATA_OFFSET constants.

/// `struct ifreq` as SIOCETHTOOL uses it: the interface name and a pointer to the ethtool command.
struct CMPPSLinux_ifreq_ethtool {
    char name[16];
    void *data;
    unsigned char padding[16];
};

/// The header of `struct ethtool_sset_info`; one `uint32_t` count per requested set follows at offset 16.
struct CMPPSLinux_ethtool_sset_info {
    uint32_t cmd;
    uint32_t reserved;
    uint64_t sset_mask;
};

/// The header of `struct ethtool_gstrings`; `len` names of 32 bytes each follow at offset 12.
struct CMPPSLinux_ethtool_gstrings {
    uint32_t cmd;
    uint32_t string_set;
    uint32_t len;
};

/// The header of `struct ethtool_stats`; `n_stats` `uint64_t` values follow at offset 8.
struct CMPPSLinux_ethtool_stats {
    uint32_t cmd;
    uint32_t n_stats;
};

/// `struct ethtool_channels` (ETHTOOL_GCHANNELS).
struct CMPPSLinux_ethtool_channels {
    uint32_t cmd;
    uint32_t max_rx;
    uint32_t max_tx;
    uint32_t max_other;
    uint32_t max_combined;
    uint32_t rx_count;
    uint32_t tx_count;
    uint32_t other_count;
    uint32_t combined_count;
};

/// The leading members of `struct ethtool_rxnfc`, all the kernel reads and writes for
/// ETHTOOL_GRXFH (it keeps the command's original, shorter definition for this use).
struct CMPPSLinux_ethtool_rxfh {
    uint32_t cmd;
    uint32_t flow_type;
    uint64_t data;
};


static const unsigned long CMPPSLinux_SIOCETHTOOL = 0x8946;
static const uint32_t CMPPSLinux_ETHTOOL_GSTRINGS = 0x1b;
static const uint32_t CMPPSLinux_ETHTOOL_GSTATS = 0x1d;
static const uint32_t CMPPSLinux_ETHTOOL_GRXFH = 0x29;
static const uint32_t CMPPSLinux_ETHTOOL_GSSET_INFO = 0x37;
static const uint32_t CMPPSLinux_ETHTOOL_GCHANNELS = 0x3c;
static const uint32_t CMPPSLinux_ETH_SS_STATS = 1;
static const int CMPPSLinux_ETH_GSTRING_LEN = 32;
static const int CMPPSLinux_ETHTOOL_SSET_INFO_DATA_OFFSET = 16;
static const int CMPPSLinux_ETHTOOL_GSTRINGS_DATA_OFFSET = 12;
static const int CMPPSLinux_ETHTOOL_STATS_DATA_OFFSET = 8;
static const uint32_t CMPPSLinux_TCP_V4_FLOW = 0x01;
static const uint32_t CMPPSLinux_UDP_V4_FLOW = 0x02;
static const uint32_t CMPPSLinux_TCP_V6_FLOW = 0x05;
static const uint32_t CMPPSLinux_UDP_V6_FLOW = 0x06;
static const uint64_t CMPPSLinux_RXH_L2DA = 1 << 1;
static const uint64_t CMPPSLinux_RXH_VLAN = 1 << 2;
static const uint64_t CMPPSLinux_RXH_L3_PROTO = 1 << 3;
static const uint64_t CMPPSLinux_RXH_IP_SRC = 1 << 4;
static const uint64_t CMPPSLinux_RXH_IP_DST = 1 << 5;
static const uint64_t CMPPSLinux_RXH_L4_B_0_1 = 1 << 6;
static const uint64_t CMPPSLinux_RXH_L4_B_2_3 = 1 << 7;
static const uint64_t CMPPSLinux_RXH_DISCARD = 1u << 31;

// AF_XDP and eBPF (PacketIO's XDPSocket, XDPProgram, XDPAttachment). The structs of
// <linux/if_xdp.h> (sockaddr_xdp, xdp_umem_reg, xdp_mmap_offsets, xdp_statistics,
// xdp_desc) come through as they are; the few members of `union bpf_attr` mpps uses
// are prefixed structs, their offsets checked against the union in shim.c.
#include <linux/if_xdp.h>
#include <sys/resource.h>

static const int CMPPSLinux_AF_XDP = 44;
static const int CMPPSLinux_SOL_XDP = 283;
static const int CMPPSLinux_XDP_MMAP_OFFSETS = 1;
static const int CMPPSLinux_XDP_RX_RING = 2;
static const int CMPPSLinux_XDP_UMEM_REG = 4;
static const int CMPPSLinux_XDP_UMEM_FILL_RING = 5;
static const int CMPPSLinux_XDP_UMEM_COMPLETION_RING = 6;
static const int CMPPSLinux_XDP_STATISTICS = 7;
static const uint16_t CMPPSLinux_XDP_COPY = 1 << 1;
static const uint16_t CMPPSLinux_XDP_ZEROCOPY = 1 << 2;
static const uint64_t CMPPSLinux_XDP_PGOFF_RX_RING = 0;
static const uint64_t CMPPSLinux_XDP_UMEM_PGOFF_FILL_RING = 0x100000000ULL;
static const uint64_t CMPPSLinux_XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000ULL;
static const int CMPPSLinux_XDP_TX_RING = 3;
static const uint64_t CMPPSLinux_XDP_PGOFF_TX_RING = 0x80000000ULL;
/// bind flag: the kernel says through a ring's flags when it needs a wake-up (Linux 5.4).
static const uint16_t CMPPSLinux_XDP_USE_NEED_WAKEUP = 1 << 3;
/// A ring's flags word: set when the kernel needs a system call to go on (XDP_RING_NEED_WAKEUP).
static const uint32_t CMPPSLinux_XDP_RING_NEED_WAKEUP = 1;

// rtnetlink's neighbour table dump (PacketIO's NeighbourTable): <linux/netlink.h>,
// <linux/rtnetlink.h> and <linux/neighbour.h>, as numbers.
static const int CMPPSLinux_AF_NETLINK = 16;
static const int CMPPSLinux_NETLINK_ROUTE = 0;
static const uint16_t CMPPSLinux_RTM_NEWNEIGH = 28;
static const uint16_t CMPPSLinux_RTM_GETNEIGH = 30;
static const uint16_t CMPPSLinux_NLMSG_ERROR = 2;
static const uint16_t CMPPSLinux_NLMSG_DONE = 3;
static const uint16_t CMPPSLinux_NLM_F_REQUEST = 1;
static const uint16_t CMPPSLinux_NLM_F_DUMP = 0x300;
static const uint16_t CMPPSLinux_NDA_DST = 1;
static const uint16_t CMPPSLinux_NDA_LLADDR = 2;
/// Neighbour states with no usable link-layer address: NUD_INCOMPLETE | NUD_FAILED.
static const uint16_t CMPPSLinux_NUD_UNUSABLE = 0x01 | 0x20;
/// The headroom the kernel keeps in front of a packet in an XDP frame (XDP_PACKET_HEADROOM).
static const int CMPPSLinux_XDP_PACKET_HEADROOM = 256;

/// `union bpf_attr` for BPF_MAP_CREATE (its leading members).
struct CMPPSLinux_bpf_map_create {
    uint32_t map_type;
    uint32_t key_size;
    uint32_t value_size;
    uint32_t max_entries;
    uint32_t map_flags;
};

/// `union bpf_attr` for BPF_MAP_UPDATE_ELEM.
struct CMPPSLinux_bpf_map_elem {
    uint32_t map_fd;
    uint32_t padding;
    uint64_t key;
    uint64_t value;
    uint64_t flags;
};

/// `union bpf_attr` for BPF_PROG_LOAD (its leading members).
struct CMPPSLinux_bpf_prog_load {
    uint32_t prog_type;
    uint32_t insn_cnt;
    uint64_t insns;
    uint64_t license;
    uint32_t log_level;
    uint32_t log_size;
    uint64_t log_buf;
    uint32_t kern_version;
    uint32_t prog_flags;
    char prog_name[16];
    uint32_t prog_ifindex;
    uint32_t expected_attach_type;
};

/// `union bpf_attr` for BPF_LINK_CREATE (its leading members).
struct CMPPSLinux_bpf_link_create {
    uint32_t prog_fd;
    uint32_t target_ifindex;
    uint32_t attach_type;
    uint32_t flags;
};

/// Layout-identical to `struct bpf_insn`: one eBPF instruction (`regs` holds dst_reg in
/// its low 4 bits and src_reg in its high 4 bits, as the kernel's bit fields do on little-endian machines).
struct CMPPSLinux_bpf_insn {
    uint8_t code;
    uint8_t regs;
    int16_t off;
    int32_t imm;
};

static const int CMPPSLinux_BPF_MAP_CREATE = 0;
static const int CMPPSLinux_BPF_MAP_UPDATE_ELEM = 2;
static const int CMPPSLinux_BPF_PROG_LOAD = 5;
static const int CMPPSLinux_BPF_LINK_CREATE = 28;
static const uint32_t CMPPSLinux_BPF_MAP_TYPE_XSKMAP = 17;
static const uint32_t CMPPSLinux_BPF_PROG_TYPE_XDP = 6;
static const uint32_t CMPPSLinux_BPF_XDP = 37;
static const int32_t CMPPSLinux_BPF_FUNC_redirect_map = 51;
static const uint8_t CMPPSLinux_BPF_PSEUDO_MAP_FD = 1;
static const int32_t CMPPSLinux_XDP_PASS = 2;
static const int CMPPSLinux_XDP_MD_RX_QUEUE_INDEX_OFFSET = 16;

/// The bpf(2) system call, which glibc does not wrap.
int CMPPSLinux_bpf(int cmd, void *attr, unsigned int size);
/// getrlimit(2) with the resource as a plain int (glibc's enum type differs under _GNU_SOURCE).
int CMPPSLinux_getrlimit(int resource, struct rlimit *limit);
static const int CMPPSLinux_RLIMIT_MEMLOCK = 8;

// Ring indices shared with the kernel: the consumer must see a descriptor's bytes
// before the producer index that covers them (acquire), and the kernel must see our
// writes before the index that publishes them (release). Swift's Atomic cannot be
// placed over memory the kernel maps, so these wrap the compiler's builtins.
static inline uint32_t CMPPSLinux_load_acquire_u32(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void CMPPSLinux_store_release_u32(uint32_t *p, uint32_t value) { __atomic_store_n(p, value, __ATOMIC_RELEASE); }
/// Asks the CPU to start loading the cache line at `p` for reading: a frame the
/// kernel copied on another CPU is a cache miss, and misses overlap when asked early.
static inline void CMPPSLinux_prefetch(const void *p) { __builtin_prefetch(p, 0, 3); }

#endif
