/* SPDX-License-Identifier: MIT */
/*
 * listen.c: listen address parsing with numeric addresses only (no DNS at start-up).
 */
#include "http/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
listen_parse(const char *text, struct listen_addr *out)
{
    memset(out, 0, sizeof(*out));
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text)
        return -EINVAL;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || port < 0 || port > 65535)
        return -EINVAL;
    char host[64];
    size_t hlen = (size_t)(colon - text);
    if (hlen >= sizeof(host))
        return -EINVAL;
    memcpy(host, text, hlen);
    host[hlen] = '\0';
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof(host), "127.0.0.1");
    if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
        host[hlen - 1] = '\0';
        out->family = AF_INET6;
        out->u.in6.sin6_family = AF_INET6;
        out->u.in6.sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &out->u.in6.sin6_addr) != 1)
            return -EINVAL;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&out->u.in6.sin6_addr);
        return 0;
    }
    out->family = AF_INET;
    out->u.in.sin_family = AF_INET;
    out->u.in.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &out->u.in.sin_addr) != 1)
        return -EINVAL;
    out->loopback = (ntohl(out->u.in.sin_addr.s_addr) >> 24) == 127;
    return 0;
}

void
listen_host(const struct listen_addr *la, char *buf, size_t len)
{
    char tmp[INET6_ADDRSTRLEN];
    if (la->family == AF_INET6) {
        inet_ntop(AF_INET6, &la->u.in6.sin6_addr, tmp, sizeof(tmp));
        snprintf(buf, len, "[%s]", tmp);
    } else {
        inet_ntop(AF_INET, &la->u.in.sin_addr, tmp, sizeof(tmp));
        snprintf(buf, len, "%s", tmp);
    }
}
