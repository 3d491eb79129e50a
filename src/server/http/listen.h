/* SPDX-License-Identifier: MIT */
/*
 * listen.h: the --listen value: a numeric TCP address and port, or a Unix socket that this file
 * binds itself (each event loop then accepts on a duplicate of it).
 */
#ifndef RA_SERVER_HTTP_LISTEN_H
#define RA_SERVER_HTTP_LISTEN_H

#include "config.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <sys/un.h>

struct listen_addr {
    int family; /* AF_INET, AF_INET6 or AF_UNIX */
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un; /* sun_path NUL-terminated */
    } u;
    bool loopback;
};

/* Parse "IPv4:PORT", "[IPv6]:PORT" or "localhost:PORT" (port 0 = any free port), or
 * "unix:PATH" (a path that fits sun_path). 0 or -EINVAL. */
int listen_parse(const char *text, struct listen_addr *out);

/* The address as text: IPv6 in brackets, a Unix socket as "unix:PATH". */
void listen_host(const struct listen_addr *la, char *buf, size_t len);

/* Parse --socket-mode: "0" and one to three more octal digits ("0660"). 0 or -EINVAL. */
int listen_mode_parse(const char *text, mode_t *mode);

/* The socket file a listen_unix() made, to remove it when done. */
struct listen_file {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    dev_t dev; /* with ino and ctime: this file, and not another one made at the same path */
    ino_t ino; /* later (an inode number alone may be reused) */
    struct timespec ctime;
};

/*
 * Bind the Unix socket of la (AF_UNIX) with permissions `mode` and listen on it. A socket file
 * that nothing listens on any more (left by a process that is gone) is removed first; a live
 * one is -EADDRINUSE, any other kind of file -EEXIST. Returns the listening socket
 * (non-blocking, close-on-exec) and fills *file, or a negative errno.
 */
int listen_unix(const struct listen_addr *la, mode_t mode, int backlog, struct listen_file *file);

/* Remove the socket file listen_unix() made, unless another file has taken its path. */
void listen_unix_remove(const struct listen_file *file);

/*
 * Check what cfg asks of the listener at la: plain HTTP only on loopback (unless
 * --insecure-http) or on a Unix socket, which takes no TLS and is the only one to take a
 * --socket-mode (parsed into *mode). 0, or a negative code after logging why.
 */
int listen_check(const struct config *cfg, const struct listen_addr *la, mode_t *mode);

/* listen_unix(), logging why it failed (naming cfg's --listen). The socket or a negative
 * errno. */
int listen_unix_logged(const struct config *cfg, const struct listen_addr *la, mode_t mode,
                       int backlog, struct listen_file *file);

/* Check and parse cfg->admin_listen (ADDR:PORT, warning when it is off loopback) into *la;
 * 0 or -EINVAL after logging why. */
int listen_admin_parse(const struct config *cfg, struct listen_addr *la);

/* A non-blocking, close-on-exec TCP socket bound to la (AF_INET or AF_INET6) and listening;
 * or a negative errno. */
int listen_tcp(const struct listen_addr *la, int backlog);

#endif
