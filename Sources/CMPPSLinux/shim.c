// One-line forwards to glibc, compiled with _GNU_SOURCE so the GNU
// declarations and macros exist. Each function is a declaration bridge only.
#define _GNU_SOURCE
#include <sys/socket.h>
#include <netinet/udp.h>
#include <netinet/in.h>
#include <sched.h>
#include <unistd.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <linux/filter.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <linux/errqueue.h>
#include <sys/syscall.h>
#include <unistd.h>
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
_Static_assert(IP_PKTINFO == 8 && IPV6_RECVPKTINFO == 49 && IPV6_PKTINFO == 50, "IP_PKTINFO, IPV6_RECVPKTINFO, IPV6_PKTINFO");
_Static_assert(sizeof(struct in_pktinfo) == 12 && offsetof(struct in_pktinfo, ipi_addr) == 8, "in_pktinfo layout");
_Static_assert(sizeof(struct in6_pktinfo) == 20 && offsetof(struct in6_pktinfo, ipi6_addr) == 0, "in6_pktinfo layout");
_Static_assert(sizeof(struct sock_extended_err) == CMPPSLinux_SOCK_EXTENDED_ERR_SIZE, "sock_extended_err size");
_Static_assert(offsetof(struct sock_extended_err, ee_origin) == CMPPSLinux_SOCK_EXTENDED_ERR_ORIGIN_OFFSET
               && offsetof(struct sock_extended_err, ee_type) == CMPPSLinux_SOCK_EXTENDED_ERR_TYPE_OFFSET
               && offsetof(struct sock_extended_err, ee_code) == CMPPSLinux_SOCK_EXTENDED_ERR_CODE_OFFSET
               && offsetof(struct sock_extended_err, ee_info) == CMPPSLinux_SOCK_EXTENDED_ERR_INFO_OFFSET, "sock_extended_err layout");
_Static_assert(sizeof(struct CMPPSLinux_ipv6_mreq) == sizeof(struct ipv6_mreq)
               && offsetof(struct CMPPSLinux_ipv6_mreq, interface) == offsetof(struct ipv6_mreq, ipv6mr_interface), "ipv6_mreq layout");
_Static_assert(SO_EE_ORIGIN_NONE == 0 && SO_EE_ORIGIN_LOCAL == 1 && SO_EE_ORIGIN_ICMP == 2 && SO_EE_ORIGIN_ICMP6 == 3, "SO_EE_ORIGIN_*");
_Static_assert(sizeof(struct CMPPSLinux_sock_filter) == sizeof(struct sock_filter), "sock_filter size");
_Static_assert(offsetof(struct CMPPSLinux_sock_filter, jt) == offsetof(struct sock_filter, jt), "sock_filter jt");
_Static_assert(offsetof(struct CMPPSLinux_sock_filter, jf) == offsetof(struct sock_filter, jf), "sock_filter jf");
_Static_assert(offsetof(struct CMPPSLinux_sock_filter, k) == offsetof(struct sock_filter, k), "sock_filter k");
_Static_assert(sizeof(struct CMPPSLinux_sock_fprog) == sizeof(struct sock_fprog), "sock_fprog size");
_Static_assert(offsetof(struct CMPPSLinux_sock_fprog, filter) == offsetof(struct sock_fprog, filter), "sock_fprog layout");
_Static_assert(BPF_LD == 0x00 && BPF_ALU == 0x04 && BPF_JMP == 0x05 && BPF_RET == 0x06, "BPF classes");
_Static_assert(BPF_W == 0x00 && BPF_ABS == 0x20 && BPF_MOD == 0x90 && BPF_JEQ == 0x10, "BPF_W/ABS/MOD/JEQ");
_Static_assert(BPF_K == 0x00 && BPF_A == 0x10 && BPF_MAXINSNS == 4096, "BPF_K/A, BPF_MAXINSNS");
_Static_assert(SKF_AD_OFF == -0x1000 && SKF_AD_CPU == 36 && SKF_AD_RANDOM == 56, "SKF_AD_*");
_Static_assert(sizeof(struct CMPPSLinux_ifreq_ethtool) == sizeof(struct ifreq), "ifreq size");
_Static_assert(offsetof(struct CMPPSLinux_ifreq_ethtool, data) == offsetof(struct ifreq, ifr_data), "ifreq layout");
_Static_assert(sizeof(struct CMPPSLinux_ethtool_sset_info) == 16 && offsetof(struct ethtool_sset_info, data) == 16, "ethtool_sset_info header");
_Static_assert(offsetof(struct CMPPSLinux_ethtool_sset_info, sset_mask) == offsetof(struct ethtool_sset_info, sset_mask), "ethtool_sset_info layout");
_Static_assert(sizeof(struct CMPPSLinux_ethtool_gstrings) == 12 && offsetof(struct ethtool_gstrings, data) == 12, "ethtool_gstrings header");
_Static_assert(offsetof(struct CMPPSLinux_ethtool_gstrings, len) == offsetof(struct ethtool_gstrings, len), "ethtool_gstrings layout");
_Static_assert(sizeof(struct CMPPSLinux_ethtool_stats) == 8 && offsetof(struct ethtool_stats, data) == 8, "ethtool_stats header");
_Static_assert(sizeof(struct CMPPSLinux_ethtool_channels) == sizeof(struct ethtool_channels), "ethtool_channels size");
_Static_assert(offsetof(struct CMPPSLinux_ethtool_channels, combined_count) == offsetof(struct ethtool_channels, combined_count), "ethtool_channels layout");
_Static_assert(offsetof(struct CMPPSLinux_ethtool_rxfh, flow_type) == offsetof(struct ethtool_rxnfc, flow_type), "ethtool_rxnfc flow_type");
_Static_assert(offsetof(struct CMPPSLinux_ethtool_rxfh, data) == offsetof(struct ethtool_rxnfc, data), "ethtool_rxnfc data");
_Static_assert(sizeof(struct CMPPSLinux_ethtool_rxfh) == offsetof(struct ethtool_rxnfc, data) + sizeof(((struct ethtool_rxnfc *)0)->data), "ethtool_rxnfc GRXFH prefix");
_Static_assert(SIOCETHTOOL == 0x8946 && ETH_GSTRING_LEN == 32 && ETH_SS_STATS == 1, "SIOCETHTOOL, ETH_GSTRING_LEN, ETH_SS_STATS");
_Static_assert(ETHTOOL_GSTRINGS == 0x1b && ETHTOOL_GSTATS == 0x1d && ETHTOOL_GRXFH == 0x29, "ETHTOOL_GSTRINGS/GSTATS/GRXFH");
_Static_assert(ETHTOOL_GSSET_INFO == 0x37 && ETHTOOL_GCHANNELS == 0x3c, "ETHTOOL_GSSET_INFO/GCHANNELS");
_Static_assert(TCP_V4_FLOW == 0x01 && UDP_V4_FLOW == 0x02 && TCP_V6_FLOW == 0x05 && UDP_V6_FLOW == 0x06, "*_FLOW");
_Static_assert(RXH_L2DA == (1 << 1) && RXH_VLAN == (1 << 2) && RXH_L3_PROTO == (1 << 3), "RXH_L2DA/VLAN/L3_PROTO");
_Static_assert(RXH_IP_SRC == (1 << 4) && RXH_IP_DST == (1 << 5), "RXH_IP_*");
_Static_assert(RXH_L4_B_0_1 == (1 << 6) && RXH_L4_B_2_3 == (1 << 7) && RXH_DISCARD == (1u << 31), "RXH_L4_*, RXH_DISCARD");

_Static_assert(AF_XDP == 44 && SOL_XDP == 283, "AF_XDP, SOL_XDP");
_Static_assert(XDP_MMAP_OFFSETS == 1 && XDP_RX_RING == 2 && XDP_UMEM_REG == 4, "XDP_* options");
_Static_assert(XDP_UMEM_FILL_RING == 5 && XDP_UMEM_COMPLETION_RING == 6 && XDP_STATISTICS == 7, "XDP_* rings, statistics");
_Static_assert(XDP_COPY == (1 << 1) && XDP_ZEROCOPY == (1 << 2), "XDP_COPY, XDP_ZEROCOPY");
_Static_assert(XDP_UMEM_PGOFF_FILL_RING == 0x100000000ULL && XDP_UMEM_PGOFF_COMPLETION_RING == 0x180000000ULL, "XDP ring page offsets");
_Static_assert(XDP_PACKET_HEADROOM == 256, "XDP_PACKET_HEADROOM");
_Static_assert(BPF_MAP_CREATE == 0 && BPF_MAP_UPDATE_ELEM == 2 && BPF_PROG_LOAD == 5 && BPF_LINK_CREATE == 28, "bpf commands");
_Static_assert(BPF_MAP_TYPE_XSKMAP == 17 && BPF_PROG_TYPE_XDP == 6 && BPF_XDP == 37, "XSKMAP, XDP program, BPF_XDP");
_Static_assert(BPF_FUNC_redirect_map == 51 && BPF_PSEUDO_MAP_FD == 1 && XDP_PASS == 2, "redirect_map, pseudo map fd, XDP_PASS");
_Static_assert(offsetof(struct xdp_md, rx_queue_index) == 16, "xdp_md rx_queue_index");
_Static_assert(RLIMIT_MEMLOCK == 8, "RLIMIT_MEMLOCK");
_Static_assert(sizeof(struct CMPPSLinux_bpf_insn) == sizeof(struct bpf_insn), "bpf_insn size");
_Static_assert(offsetof(struct CMPPSLinux_bpf_insn, off) == offsetof(struct bpf_insn, off), "bpf_insn off");
_Static_assert(offsetof(struct CMPPSLinux_bpf_insn, imm) == offsetof(struct bpf_insn, imm), "bpf_insn imm");
_Static_assert(offsetof(struct CMPPSLinux_bpf_map_create, map_flags) == offsetof(union bpf_attr, map_flags), "bpf_attr map_create");
_Static_assert(offsetof(struct CMPPSLinux_bpf_map_elem, key) == offsetof(union bpf_attr, key), "bpf_attr key");
_Static_assert(offsetof(struct CMPPSLinux_bpf_map_elem, value) == offsetof(union bpf_attr, value), "bpf_attr value");
_Static_assert(offsetof(struct CMPPSLinux_bpf_map_elem, flags) == offsetof(union bpf_attr, flags), "bpf_attr flags");
_Static_assert(offsetof(struct CMPPSLinux_bpf_prog_load, insns) == offsetof(union bpf_attr, insns), "bpf_attr insns");
_Static_assert(offsetof(struct CMPPSLinux_bpf_prog_load, license) == offsetof(union bpf_attr, license), "bpf_attr license");
_Static_assert(offsetof(struct CMPPSLinux_bpf_prog_load, log_buf) == offsetof(union bpf_attr, log_buf), "bpf_attr log_buf");
_Static_assert(offsetof(struct CMPPSLinux_bpf_prog_load, prog_name) == offsetof(union bpf_attr, prog_name), "bpf_attr prog_name");
_Static_assert(offsetof(struct CMPPSLinux_bpf_prog_load, expected_attach_type) == offsetof(union bpf_attr, expected_attach_type), "bpf_attr expected_attach_type");
_Static_assert(offsetof(struct CMPPSLinux_bpf_link_create, target_ifindex) == offsetof(union bpf_attr, link_create.target_ifindex), "bpf_attr link target");
_Static_assert(offsetof(struct CMPPSLinux_bpf_link_create, attach_type) == offsetof(union bpf_attr, link_create.attach_type), "bpf_attr link attach_type");
_Static_assert(offsetof(struct CMPPSLinux_bpf_link_create, flags) == offsetof(union bpf_attr, link_create.flags), "bpf_attr link flags");

int CMPPSLinux_bpf(int cmd, void *attr, unsigned int size) { return (int)syscall(__NR_bpf, cmd, attr, size); }
int CMPPSLinux_getrlimit(int resource, struct rlimit *limit) { return getrlimit(resource, limit); }

int CMPPSLinux_recvmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, vlen, flags, timeout);
}

int CMPPSLinux_sendmmsg(int fd, struct CMPPSLinux_mmsghdr *vec, unsigned int vlen, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, vlen, flags);
}

int CMPPSLinux_accept4(int fd, int flags) { return accept4(fd, NULL, NULL, flags); }

void CMPPSLinux_CPU_ZERO(CMPPSLinux_cpu_set *set) { CPU_ZERO((cpu_set_t *)set); }
void CMPPSLinux_CPU_SET(int cpu, CMPPSLinux_cpu_set *set) { CPU_SET(cpu, (cpu_set_t *)set); }
int CMPPSLinux_CPU_ISSET(int cpu, const CMPPSLinux_cpu_set *set) { return CPU_ISSET(cpu, (const cpu_set_t *)set); }
int CMPPSLinux_CPU_SETSIZE(void) { return CPU_SETSIZE; }
int CMPPSLinux_sched_getaffinity(pid_t pid, CMPPSLinux_cpu_set *set) { return sched_getaffinity(pid, sizeof(cpu_set_t), (cpu_set_t *)set); }
int CMPPSLinux_pthread_setaffinity(pthread_t thread, const CMPPSLinux_cpu_set *set) { return pthread_setaffinity_np(thread, sizeof(cpu_set_t), (const cpu_set_t *)set); }
int CMPPSLinux_sched_getcpu(void) { return sched_getcpu(); }
pid_t CMPPSLinux_gettid(void) { return gettid(); }

struct cmsghdr *CMPPSLinux_CMSG_FIRSTHDR(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
struct cmsghdr *CMPPSLinux_CMSG_NXTHDR(struct msghdr *msg, struct cmsghdr *cmsg) { return CMSG_NXTHDR(msg, cmsg); }
unsigned char *CMPPSLinux_CMSG_DATA(struct cmsghdr *cmsg) { return CMSG_DATA(cmsg); }
size_t CMPPSLinux_CMSG_SPACE(size_t payload) { return CMSG_SPACE(payload); }
size_t CMPPSLinux_CMSG_LEN(size_t payload) { return CMSG_LEN(payload); }

