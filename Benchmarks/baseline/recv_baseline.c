/*
 * recv_baseline: the article's receive loop in plain C, the yardstick for `mpps recv`.
 *
 *   recv_baseline ADDR:PORT [--gro] [--cpu N] [--rcvbuf BYTES] [--batch N] [--duration SECONDS]
 *
 * One UDP socket bound to ADDR:PORT (IPv4 "a.b.c.d:p" or IPv6 "[::1]:p"), recvmmsg with
 * MSG_WAITFORONE into buffers allocated once: 2048 bytes per message (the slot mpps uses),
 * or 64 KiB per message with --gro, where one message holds several datagrams and the
 * UDP_GRO control message gives their size: datagrams = ceil(len / gso_size).
 * SO_RCVTIMEO (100 ms) makes a blocked call come back to look at the clock.
 * At exit, one JSON line on stdout: {"packets":N,"bytes":N,"seconds":X}.
 *
 * Build: gcc -O2 -Wall -o recv_baseline recv_baseline.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "baseline_common.h"

#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

void usage(void) {
    fprintf(stderr, "usage: recv_baseline ADDR:PORT [--gro] [--cpu N] [--rcvbuf BYTES] "
                    "[--batch N] [--duration SECONDS]\n");
    exit(64);
}

int main(int argc, char **argv) {
    const char *address = NULL;
    int gro = 0, cpu = -1, batch = 512;
    long rcvbuf = 0;
    double duration = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--gro")) gro = 1;
        else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) cpu = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--rcvbuf") && i + 1 < argc) rcvbuf = atol(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (argv[i][0] != '-' && !address) address = argv[i];
        else usage();
    }
    if (!address || batch < 1 || batch > 1024) usage();

    pin_and_catch_stop(cpu);

    struct sockaddr_storage ss;
    socklen_t sslen = parse_address(address, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (rcvbuf > 0) {
        int size = (int)rcvbuf;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0 &&
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
            die("setsockopt(SO_RCVBUF)");
    }
    struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0) die("setsockopt(SO_RCVTIMEO)");
    if (gro) {
        int one = 1;
        if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof one) != 0) die("setsockopt(UDP_GRO)");
    }
    if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) die("bind");

    /* Everything the loop touches is allocated here, once. */
    size_t slot = gro ? 65536 : 2048;
    size_t cspace = CMSG_SPACE(sizeof(int));
    char *controls = calloc(batch, cspace);
    if (!controls) die("malloc");
    struct mmsghdr *msgs = messages_with_buffers(batch, slot);

    uint64_t packets = 0, bytes = 0;
    double start = now(), end = start;
    for (;;) {
        if (gro) {
            /* The kernel shrinks msg_controllen to what it wrote: restore it each call. */
            for (int i = 0; i < batch; i++) {
                msgs[i].msg_hdr.msg_control = controls + cspace * i;
                msgs[i].msg_hdr.msg_controllen = cspace;
            }
        }
        int n = recvmmsg(fd, msgs, batch, MSG_WAITFORONE, NULL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) die("recvmmsg");
        for (int i = 0; i < n; i++) {
            unsigned len = msgs[i].msg_len;
            bytes += len;
            if (!gro) {
                packets += 1;
                continue;
            }
            int gso_size = 0;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
                 c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO)
                    memcpy(&gso_size, CMSG_DATA(c), sizeof gso_size);
            }
            packets += gso_size > 0 ? (len + gso_size - 1) / gso_size : 1;
        }
        end = now();
        if (stop_requested || (duration > 0 && end - start >= duration)) break;
    }
    printf("{\"packets\":%llu,\"bytes\":%llu,\"seconds\":%.6f}\n",
           (unsigned long long)packets, (unsigned long long)bytes, end - start);
    return 0;
}
