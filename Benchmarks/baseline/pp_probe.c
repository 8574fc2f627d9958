/*
 * pp_probe: which system-call flavour costs a ping-pong's round trip what. A closed loop of
 * one 32-byte request in flight on 127.0.0.1, client and server each in one of these modes:
 *
 *   plain        sendto + recvfrom, blocking without a timeout (sockperf's calls)
 *   plain-timeo  the same with SO_RCVTIMEO 20 ms (a blocked call wakes to look at a stop flag)
 *   mmsg         sendmmsg + recvmmsg of one message (the client) or of up to 64 with
 *                MSG_WAITFORONE (the server), sources recorded
 *   mmsg-timeo   mmsg with SO_RCVTIMEO 20 ms (what mpps ping does)
 *   msg          sendmsg + recvmsg, one message a call, sources recorded, MSG_TRUNC
 *   mmsg1        a server's mmsg asking recvmmsg for one message only
 *   ...-timeo    any of these with SO_RCVTIMEO 20 ms
 *   ...-big      (client) with mpps ping's socket: SO_RCVBUF 4 MiB, SO_SNDTIMEO 100 ms, bound to the
 *                wildcard address before the first send
 *   mmsg-big     a server's mmsg with mpps echo's receive buffers: 64 KiB a message,
 *                MSG_TRUNC, and the reply copied out of the request as mpps echo does
 *
 *   pp_probe server PORT MODE [CPU]          answers until killed
 *   pp_probe client PORT MODE SECONDS [CPU]  prints "p50_ns=N mean_ns=N n=N"
 *
 * Build: gcc -O2 -Wall -o pp_probe pp_probe.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { payload = 32, batch = 64, most = 4000000 };

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int open_socket(const char *mode, int port, int cpu) {
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (strstr(mode, "timeo")) {
        struct timeval t = {0, 20000};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, sizeof t);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (port > 0 && bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); exit(1); }
    if (port == 0 && strstr(mode, "big")) {
        int size = 4 << 20;
        struct timeval t = {0, 100000};
        struct sockaddr_in any = {.sin_family = AF_INET};
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &t, sizeof t);
        bind(fd, (struct sockaddr *)&any, sizeof any);
    }
    return fd;
}

static void serve(int fd, const char *mode) {
    static char buffers[batch][65536], replies[batch][65536];
    int big = !strncmp(mode, "mmsg-big", 8);
    struct iovec reply_iov[batch];
    struct mmsghdr reply_messages[batch];
    struct sockaddr_in sources[batch];
    struct iovec iov[batch];
    struct mmsghdr messages[batch];
    for (;;) {
        if (!strncmp(mode, "msg", 3)) {
            iov[0] = (struct iovec){buffers[0], 2048};
            struct msghdr h = {.msg_name = &sources[0], .msg_namelen = sizeof sources[0], .msg_iov = &iov[0], .msg_iovlen = 1};
            ssize_t n = recvmsg(fd, &h, MSG_TRUNC);
            if (n <= 0) continue;
            iov[0].iov_len = n;
            sendmsg(fd, &h, 0);
            continue;
        }
        if (!strncmp(mode, "plain", 5)) {
            socklen_t length = sizeof sources[0];
            ssize_t n = recvfrom(fd, buffers[0], sizeof buffers[0], 0, (struct sockaddr *)&sources[0], &length);
            if (n > 0) sendto(fd, buffers[0], n, 0, (struct sockaddr *)&sources[0], length);
            continue;
        }
        for (int i = 0; i < batch; i++) {
            iov[i] = (struct iovec){buffers[i], big ? sizeof buffers[i] : 2048};
            messages[i].msg_hdr = (struct msghdr){.msg_name = &sources[i], .msg_namelen = sizeof sources[i],
                                                   .msg_iov = &iov[i], .msg_iovlen = 1};
        }
        int n = recvmmsg(fd, messages, strncmp(mode, "mmsg1", 5) ? batch : 1, MSG_WAITFORONE | (big ? MSG_TRUNC : 0), NULL);
        if (n <= 0) continue;
        if (!big) {
            for (int i = 0; i < n; i++) iov[i].iov_len = messages[i].msg_len;
            sendmmsg(fd, messages, n, 0);
            continue;
        }
        for (int i = 0; i < n; i++) {
            memcpy(replies[i], buffers[i], messages[i].msg_len);
            reply_iov[i] = (struct iovec){replies[i], messages[i].msg_len};
            reply_messages[i].msg_hdr = (struct msghdr){.msg_name = &sources[i], .msg_namelen = sizeof sources[i],
                                                         .msg_iov = &reply_iov[i], .msg_iovlen = 1};
        }
        sendmmsg(fd, reply_messages, n, 0);
    }
}

static void ping(int fd, const char *mode, int port, double seconds) {
    static uint64_t samples[most];
    char request[payload] = {0}, reply[2048];
    struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct sockaddr_in source;
    struct iovec out = {request, payload}, in = {reply, sizeof reply};
    struct mmsghdr send_message = {.msg_hdr = {.msg_name = &target, .msg_namelen = sizeof target, .msg_iov = &out, .msg_iovlen = 1}};
    struct mmsghdr receive_message;
    int plain = !strncmp(mode, "plain", 5);
    alarm((unsigned)seconds + 10); // a server that never answers, or a reply lost, ends the run
    // Until the server answers, ask again every 100 ms; then measure with the mode's own timeout.
    struct timeval wait = {0, 100000}, none = {0, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    do sendto(fd, request, payload, 0, (struct sockaddr *)&target, sizeof target);
    while (recv(fd, reply, sizeof reply, 0) <= 0);
    if (!strstr(mode, "timeo")) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
    else setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){0, 20000}, sizeof(struct timeval));
    uint64_t end = now_ns() + (uint64_t)(seconds * 1e9), sum = 0;
    int n = 0;
    while (n < most) {
        uint64_t start = now_ns();
        if (start > end) break;
        if (!strncmp(mode, "msg", 3)) {
            struct msghdr h = {.msg_name = &target, .msg_namelen = sizeof target, .msg_iov = &out, .msg_iovlen = 1};
            sendmsg(fd, &h, 0);
            do {
                h = (struct msghdr){.msg_name = &source, .msg_namelen = sizeof source, .msg_iov = &in, .msg_iovlen = 1};
            } while (recvmsg(fd, &h, MSG_TRUNC) <= 0);
        } else if (plain) {
            sendto(fd, request, payload, 0, (struct sockaddr *)&target, sizeof target);
            socklen_t length = sizeof source;
            while (recvfrom(fd, reply, sizeof reply, 0, (struct sockaddr *)&source, &length) <= 0) length = sizeof source;
        } else {
            sendmmsg(fd, &send_message, 1, 0);
            do {
                receive_message.msg_hdr = (struct msghdr){.msg_name = &source, .msg_namelen = sizeof source, .msg_iov = &in, .msg_iovlen = 1};
            } while (recvmmsg(fd, &receive_message, 1, MSG_WAITFORONE, NULL) <= 0);
        }
        uint64_t rtt = now_ns() - start;
        samples[n++] = rtt;
        sum += rtt;
    }
    qsort(samples, n, sizeof samples[0], compare);
    printf("p50_ns=%llu mean_ns=%llu n=%d\n", (unsigned long long)samples[n / 2], (unsigned long long)(n ? sum / n : 0), n);
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "server")) {
        int fd = open_socket(argv[3], atoi(argv[2]), argc > 4 ? atoi(argv[4]) : -1);
        serve(fd, argv[3]);
    } else if (argc >= 5 && !strcmp(argv[1], "client")) {
        int fd = open_socket(argv[3], 0, argc > 5 ? atoi(argv[5]) : -1);
        ping(fd, argv[3], atoi(argv[2]), atof(argv[4]));
        return 0;
    }
    fprintf(stderr, "usage: pp_probe server PORT MODE [CPU] | pp_probe client PORT MODE SECONDS [CPU]\n");
    return 64;
}
