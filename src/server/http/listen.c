/* SPDX-License-Identifier: MIT */
/*
 * listen.c: listen address parsing with numeric addresses only (no DNS at start-up), and the
 * Unix socket's file: made with its permissions, replaced only when stale, removed at the end.
 */
#include "http/listen.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "unix:PATH" into out; 0 or -EINVAL. */
static int
parse_unix(const char *path, struct listen_addr *out)
{
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(out->u.un.sun_path))
        return -EINVAL;
    out->family = AF_UNIX;
    out->u.un.sun_family = AF_UNIX;
    memcpy(out->u.un.sun_path, path, n + 1);
    return 0;
}

int
listen_parse(const char *text, struct listen_addr *out)
{
    memset(out, 0, sizeof(*out));
    if (strncmp(text, "unix:", 5) == 0)
        return parse_unix(text + 5, out);
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
    if (la->family == AF_UNIX) {
        snprintf(buf, len, "unix:%s", la->u.un.sun_path);
    } else if (la->family == AF_INET6) {
        inet_ntop(AF_INET6, &la->u.in6.sin6_addr, tmp, sizeof(tmp));
        snprintf(buf, len, "[%s]", tmp);
    } else {
        inet_ntop(AF_INET, &la->u.in.sin_addr, tmp, sizeof(tmp));
        snprintf(buf, len, "%s", tmp);
    }
}

int
listen_mode_parse(const char *text, mode_t *mode)
{
    size_t n = strlen(text);
    if (n < 2 || n > 4 || text[0] != '0')
        return -EINVAL;
    mode_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (text[i] < '0' || text[i] > '7')
            return -EINVAL;
        m = m * 8 + (mode_t)(text[i] - '0');
    }
    *mode = m;
    return 0;
}

/*
 * Make way for a socket at path: nothing there is fine; a socket file that refuses
 * connections (its listener is gone) is removed; anything else stays and is an error.
 */
static int
clear_stale(const struct sockaddr_un *addr)
{
    struct stat st;
    if (lstat(addr->sun_path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode))
        return -EEXIST;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ? -EADDRINUSE
             : errno == ECONNREFUSED                                        ? 0
             : errno == EAGAIN                                              ? -EADDRINUSE
                                                                            : -errno;
    close(fd);
    if (rc == 0 && unlink(addr->sun_path) < 0 && errno != ENOENT)
        rc = -errno;
    return rc;
}

int
listen_unix(const struct listen_addr *la, mode_t mode, int backlog, struct listen_file *file)
{
    const struct sockaddr_un *addr = &la->u.un;
    int rc = la->family == AF_UNIX ? clear_stale(addr) : -EINVAL;
    if (rc < 0)
        return rc;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    struct stat st;
    /* On Linux the file takes the socket's mode at bind (less the umask), so it never exists
     * with wider permissions; the chmod makes the mode exact whatever the umask. */
    if (fchmod(fd, mode) < 0 || bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    if (chmod(addr->sun_path, mode) < 0 || lstat(addr->sun_path, &st) < 0 ||
        listen(fd, backlog) < 0) {
        rc = -errno;
        close(fd);
        unlink(addr->sun_path);
        return rc;
    }
    memcpy(file->path, addr->sun_path, sizeof(file->path));
    file->dev = st.st_dev;
    file->ino = st.st_ino;
    file->ctime = st.st_ctim;
    return fd;
}

void
listen_unix_remove(const struct listen_file *file)
{
    struct stat st;
    if (file->path[0] != '\0' && lstat(file->path, &st) == 0 && st.st_dev == file->dev &&
        st.st_ino == file->ino && st.st_ctim.tv_sec == file->ctime.tv_sec &&
        st.st_ctim.tv_nsec == file->ctime.tv_nsec)
        unlink(file->path);
}

int
listen_check(const struct config *cfg, const struct listen_addr *la, mode_t *mode)
{
    bool local = la->family == AF_UNIX;
    if (local && (cfg->tls_cert != NULL || cfg->tls_key != NULL)) {
        ra_log(RA_LOG_ERR,
               "--listen %s: a Unix socket serves plain HTTP to local processes; "
               "drop --tls-cert and --tls-key",
               cfg->listen);
        return -EINVAL;
    }
    if (!local && config_given(cfg, "--socket-mode")) {
        ra_log(RA_LOG_ERR, "--socket-mode applies only to --listen unix:PATH");
        return -EINVAL;
    }
    if (local && listen_mode_parse(cfg->socket_mode, mode) < 0) {
        ra_log(RA_LOG_ERR, "--socket-mode %s: expected an octal mode such as 0660",
               cfg->socket_mode);
        return -EINVAL;
    }
    if (cfg->tls_cert == NULL && !la->loopback && !local && !cfg->insecure_http) {
        ra_log(RA_LOG_ERR,
               "refusing plain HTTP on %s: Basic credentials would cross the "
               "network in the clear; give --tls-cert and --tls-key "
               "(or --insecure-http)",
               cfg->listen);
        return -EPERM;
    }
    return 0;
}

int
listen_unix_logged(const struct config *cfg, const struct listen_addr *la, mode_t mode, int backlog,
                   struct listen_file *file)
{
    int fd = listen_unix(la, mode, backlog, file);
    if (fd < 0)
        ra_log(RA_LOG_ERR, "cannot listen on %s: %s", cfg->listen,
               fd == -EADDRINUSE ? "another process listens on it"
               : fd == -EEXIST   ? "a file that is not a socket is in the way"
                                 : strerror(-fd));
    return fd;
}

int
listen_tcp(const struct listen_addr *la, int backlog)
{
    int fd = socket(la->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (la->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    socklen_t len = la->family == AF_INET6 ? sizeof(la->u.in6) : sizeof(la->u.in);
    if (bind(fd, &la->u.sa, len) < 0 || listen(fd, backlog) < 0) {
        int rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

int
listen_admin_parse(const struct config *cfg, struct listen_addr *la)
{
    if (listen_parse(cfg->admin_listen, la) < 0 || la->family == AF_UNIX) {
        ra_log(RA_LOG_ERR, "--admin-listen %s: expected ADDR:PORT", cfg->admin_listen);
        return -EINVAL;
    }
    if (!la->loopback)
        ra_log(RA_LOG_WARN,
               "--admin-listen %s is not a loopback address: anyone who can reach it reads "
               "/metrics and /readyz without credentials; keep it on a private network",
               cfg->admin_listen);
    return 0;
}
