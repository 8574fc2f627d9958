/*
 * What both reference loops share: the stop flag their signal handler sets,
 * errors, the clock, and the ADDR:PORT parser. Each program defines usage().
 */
#ifndef BASELINE_COMMON_H
#define BASELINE_COMMON_H

#include <arpa/inet.h>
#include <sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Prints the program's usage line and exits 64. */
void usage(void);

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) { (void)sig; stop_requested = 1; }

static void die(const char *what) { perror(what); exit(1); }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "1.2.3.4:5" or "[::1]:5" into ss; returns the address length. */
static socklen_t parse_address(const char *text, struct sockaddr_storage *ss) {
    char host[128];
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= sizeof host) usage();
    memcpy(host, text, colon - text);
    host[colon - text] = 0;
    int port = atoi(colon + 1);
    if (port <= 0 || port > 65535) usage();
    memset(ss, 0, sizeof *ss);
    size_t n = strlen(host);
    if (host[0] == '[' && host[n - 1] == ']') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        host[n - 1] = 0;
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1) usage();
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        return sizeof *a;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1) usage();
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    return sizeof *a;
}

/* Pins the process to `cpu` (none when negative) and has SIGINT and SIGTERM set
 * stop_requested, without SA_RESTART: a blocked recvmmsg or sendmmsg returns EINTR. */
static void pin_and_catch_stop(int cpu) {
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) die("sched_setaffinity");
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* `count` messages, one buffer of `size` bytes each, allocated once and reused
 * by every call; exits on allocation failure. Control space is the caller's. */
static struct mmsghdr *messages_with_buffers(int count, size_t size) {
    char *buffers = calloc(count, size);
    struct iovec *iov = calloc(count, sizeof *iov);
    struct mmsghdr *msgs = calloc(count, sizeof *msgs);
    if (!buffers || !iov || !msgs) die("malloc");
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = buffers + size * i;
        iov[i].iov_len = size;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return msgs;
}

#endif
