/* SPDX-License-Identifier: MIT */
/*
 * test_listen.c: the Unix socket of --listen unix:PATH (server/http/listen.c): bound with the
 * exact --socket-mode whatever the umask, accepting connections; a stale socket file replaced;
 * a live socket and any other file left alone and refused; the file removed at the end only
 * while it is still this socket's.
 */
#include "http/listen.h"

#include "harness.h"

#include <stdlib.h>

static char tmpdir[] = "/tmp/ra-test-listen-XXXXXX";
#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

/* la for the socket file NAME of the directory. */
static struct listen_addr
at(const char *name)
{
    char text[PATH_MAX];
    struct listen_addr la;
    ASSERT_EQ_INT(listen_parse(path_in(text, sizeof(text), "unix:", name), &la), 0);
    return la;
}

/* Permission bits of path, or -1 when it does not exist (or is no socket). */
static int
socket_mode(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode))
        return -1;
    return (int)(st.st_mode & 07777);
}

/* True when a client connects to la and the listening socket fd accepts it. */
static bool
connects(const struct listen_addr *la, int fd)
{
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    bool ok = c >= 0 && connect(c, &la->u.sa, sizeof(la->u.un)) == 0;
    int a = ok ? accept(fd, NULL, NULL) : -1;
    ok = ok && a >= 0;
    if (a >= 0)
        close(a);
    if (c >= 0)
        close(c);
    return ok;
}

static void
test_mode_and_remove(void)
{
    static const struct {
        mode_t umask, mode;
    } cases[] = {{022, 0660}, {077, 0660}, {0, 0600}, {0, 0666}, {027, 0770}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct listen_addr la = at("mode.sock");
        struct listen_file file;
        mode_t old = umask(cases[i].umask);
        int fd = listen_unix(&la, cases[i].mode, 16, &file);
        umask(old);
        ASSERT_TRUE(fd >= 0);
        if (fd < 0)
            continue;
        ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), (int)cases[i].mode);
        ASSERT_TRUE((fcntl(fd, F_GETFL) & O_NONBLOCK) && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
        ASSERT_EQ_STR(file.path, la.u.un.sun_path);
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        ASSERT_TRUE(connects(&la, fd));
        close(fd);
        listen_unix_remove(&file);
        ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), -1);
    }
}

static void
test_stale_live_and_other(void)
{
    struct listen_addr la = at("stale.sock");
    struct listen_file file, file2;
    /* A socket file whose listener is gone (as a killed process leaves it) is replaced. */
    int old = listen_unix(&la, 0600, 16, &file);
    ASSERT_TRUE(old >= 0);
    close(old);
    ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), 0600);
    /* The new file may reuse the inode number; its change time tells it apart, and some file
     * systems keep that time only to a clock tick. */
    struct timespec tick = {0, 20 * 1000 * 1000};
    nanosleep(&tick, NULL);
    int fd = listen_unix(&la, 0660, 16, &file2);
    ASSERT_TRUE(fd >= 0);
    ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), 0660);
    /* A live one is refused and left alone. */
    struct listen_file file3;
    ASSERT_EQ_INT(listen_unix(&la, 0600, 16, &file3), -EADDRINUSE);
    ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), 0660);
    ASSERT_TRUE(fd >= 0 && connects(&la, fd));
    /* The stale file's record no longer names the file there: removing by it does nothing. */
    listen_unix_remove(&file);
    ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), 0660);
    if (fd >= 0)
        close(fd);
    listen_unix_remove(&file2);
    ASSERT_EQ_INT(socket_mode(la.u.un.sun_path), -1);

    /* Any other kind of file is never removed. */
    struct listen_addr reg = at("regular.sock");
    int f = open(reg.u.un.sun_path, O_CREAT | O_WRONLY | O_EXCL, 0600);
    ASSERT_TRUE(f >= 0);
    if (f >= 0)
        close(f);
    ASSERT_EQ_INT(listen_unix(&reg, 0660, 16, &file), -EEXIST);
    struct stat st;
    ASSERT_TRUE(lstat(reg.u.un.sun_path, &st) == 0 && S_ISREG(st.st_mode));
    unlink(reg.u.un.sun_path);

    /* A directory that does not exist. */
    struct listen_addr missing = at("no-such-dir/x.sock");
    ASSERT_EQ_INT(listen_unix(&missing, 0660, 16, &file), -ENOENT);
    /* Not a Unix address. */
    struct listen_addr tcp;
    ASSERT_EQ_INT(listen_parse("127.0.0.1:0", &tcp), 0);
    ASSERT_EQ_INT(listen_unix(&tcp, 0660, 16, &file), -EINVAL);
}

int
main(void)
{
    if (tmpdir_make() < 0)
        return 1;
    RUN(test_mode_and_remove);
    RUN(test_stale_live_and_other);
    tmpdir_remove();
    return harness_done();
}
