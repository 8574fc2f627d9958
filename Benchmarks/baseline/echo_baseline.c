/*
 * echo_baseline: a plain C echo, the yardstick for `mpps echo`'s CPU per request.
 *
 *   echo_baseline ADDR:PORT [--cpu N] [--batch N] [--duration SECONDS]
 *
 * One UDP socket bound to ADDR:PORT; recvmmsg a batch (MSG_WAITFORONE, sources recorded,
 * 64 KiB per message, as mpps echo reserves), then sendmmsg the same messages back, each
 * to its source, the received length as its length: the buffers are sent in place (no
 * copy, which mpps echo does through its SendBatch). SO_RCVTIMEO (100 ms) lets a blocked
 * call look at the clock. At exit, one JSON line on stdout: {"requests":N,"replies":N,"seconds":X}.
 *
 * Build: gcc -O2 -Wall -o echo_baseline echo_baseline.c
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

void usage(void) {
    fprintf(stderr, "usage: echo_baseline ADDR:PORT [--cpu N] [--batch N] [--duration SECONDS]\n");
    exit(64);
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    int cpu = -1, batch = 64;
    double duration = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--cpu") && i + 1 < argc) cpu = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--duration") && i + 1 < argc) duration = atof(argv[++i]);
        else usage();
    }
    if (batch < 1 || batch > 1024) usage();
    struct sockaddr_storage address;
    socklen_t length = parse_address(argv[1], &address);
    pin_and_catch_stop(cpu);
    int fd = socket(address.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) die("socket");
    int size = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    struct timeval timeout = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (bind(fd, (struct sockaddr *)&address, length) != 0) die("bind");
    struct mmsghdr *msgs = messages_with_buffers(batch, 65536);
    struct sockaddr_storage *sources = calloc(batch, sizeof *sources);
    if (!sources) die("malloc");
    for (int i = 0; i < batch; i++) msgs[i].msg_hdr.msg_name = &sources[i];
    printf("{\"type\":\"ready\"}\n");
    fflush(stdout);
    uint64_t requests = 0, replies = 0;
    double start = now();
    while (!stop_requested && (duration <= 0 || now() - start < duration)) {
        for (int i = 0; i < batch; i++) {
            msgs[i].msg_hdr.msg_namelen = sizeof sources[i];
            msgs[i].msg_hdr.msg_iov->iov_len = 65536;
        }
        int n = recvmmsg(fd, msgs, batch, MSG_WAITFORONE, NULL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) continue;
            die("recvmmsg");
        }
        for (int i = 0; i < n; i++) msgs[i].msg_hdr.msg_iov->iov_len = msgs[i].msg_len;
        requests += n;
        int sent = 0;
        while (sent < n) {
            int k = sendmmsg(fd, msgs + sent, n - sent, 0);
            if (k < 0) { if (errno == EINTR) continue; sent++; continue; }
            sent += k;
            replies += k;
        }
    }
    printf("{\"requests\":%llu,\"replies\":%llu,\"seconds\":%.3f}\n", (unsigned long long)requests,
           (unsigned long long)replies, now() - start);
    return 0;
}
