/*
 * send_baseline: the article's sender loop in plain C, the yardstick for `mpps send`,
 * and the load generator for the receive benchmarks.
 *
 *   send_baseline ADDR:PORT [--payload BYTES] [--gso N] [--batch N] [--cpu N] [--duration SECONDS]
 *
 * One UDP socket connected to ADDR:PORT; sendmmsg of a batch of preallocated zero
 * payloads (default 32 bytes) per call, until the duration is over.
 *
 * Without --gso: each call carries 1024 messages of one datagram each.
 * With --gso N: UDP_SEGMENT (103) is set to the payload size and each message carries
 * N payloads, which the kernel cuts into N datagrams. The default batch is then
 * 1024 / N messages (16 at N = 64), so one call still carries 1024 datagrams, as
 * without GSO: the per-call cost is amortized over the same number of datagrams and
 * only the per-message cost changes. --batch overrides it.
 *
 * ECONNREFUSED (nothing listening yet) is counted and ignored; ENOBUFS is retried.
 * At exit, one JSON line on stdout:
 *   {"packets":N,"seconds":X,"refused":N}
 * where packets counts the datagrams the kernel accepted (GSO segments, not messages).
 *
 * Build: gcc -O2 -Wall -o send_baseline send_baseline.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

void usage(void) {
    fprintf(stderr, "usage: send_baseline ADDR:PORT [--payload BYTES] [--gso N] [--batch N] "
                    "[--cpu N] [--duration SECONDS]\n");
    exit(64);
}

int main(int argc, char **argv) {
    const char *address = NULL;
    int payload = 32, gso = 0, batch = 0, cpu = -1;
    double duration = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--payload") && i + 1 < argc) payload = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--gso") && i + 1 < argc) gso = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--cpu") && i + 1 < argc) cpu = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else if (argv[i][0] != '-' && !address) address = argv[i];
        else usage();
    }
    int segments = gso > 0 ? gso : 1;
    if (batch == 0) batch = gso > 0 ? (1024 / segments > 0 ? 1024 / segments : 1) : 1024;
    if (!address || payload < 1 || payload > 65507 || segments > 128 || batch < 1 || batch > 1024)
        usage();
    if ((long)payload * segments > 65507) {
        fprintf(stderr, "send_baseline: --gso %d x --payload %d exceeds 65507 bytes\n", gso, payload);
        return 64;
    }

    pin_and_catch_stop(cpu);

    struct sockaddr_storage ss;
    socklen_t sslen = parse_address(address, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&ss, sslen) != 0) die("connect");
    if (gso > 0 && setsockopt(fd, SOL_UDP, UDP_SEGMENT, &payload, sizeof payload) != 0)
        die("setsockopt(UDP_SEGMENT)");

    /* Everything the loop touches is allocated here, once: zero payloads. */
    size_t message = (size_t)payload * segments;
    struct mmsghdr *msgs = messages_with_buffers(batch, message);

    uint64_t packets = 0, refused = 0;
    double start = now(), end = start;
    for (;;) {
        int n = sendmmsg(fd, msgs, batch, 0);
        if (n > 0) packets += (uint64_t)n * segments;
        else if (n < 0 && errno == ECONNREFUSED) refused++;
        else if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR) die("sendmmsg");
        end = now();
        if (stop_requested || (duration > 0 && end - start >= duration)) break;
    }
    printf("{\"packets\":%llu,\"seconds\":%.6f,\"refused\":%llu}\n",
           (unsigned long long)packets, end - start, (unsigned long long)refused);
    return 0;
}
