/* SPDX-License-Identifier: MIT */
/*
 * listen.h: parsing the --listen ADDR:PORT value.
 */
#ifndef RA_SERVER_HTTP_LISTEN_H
#define RA_SERVER_HTTP_LISTEN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
    int family; /* AF_INET or AF_INET6 */
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
    } u;
    bool loopback;
};

/* Parse "IPv4:PORT", "[IPv6]:PORT" or "localhost:PORT" (port 0 = any free port).
 * 0 or -EINVAL. */
int listen_parse(const char *text, struct listen_addr *out);

/* The address as text, IPv6 in brackets. */
void listen_host(const struct listen_addr *la, char *buf, size_t len);

#endif
