/* SPDX-License-Identifier: MIT */
/*
 * prompt.c: asking for the Customer ID and Secret on the controlling terminal.
 *
 * The secret is read with echo off; a signal during the read restores the terminal before the
 * signal takes its default course. Both buffers are wiped before returning.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define LINE_MAX_LEN 512

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
    caught = sig;
}

/* Write a prompt to the terminal. */
static void
say(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

/*
 * Read one line from fd into buf (without the newline). Returns its length, or -1 on EOF
 * before anything, an error, a signal, or a line that does not fit.
 */
static long
read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    bool too_long = false;
    for (;;) {
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r < 0 || caught)
            return -1; /* EINTR included: a signal ends the prompt */
        if (r == 0 && n == 0)
            return -1;
        if (r == 0 || ch == '\n')
            break;
        if (n + 1 < cap)
            buf[n++] = ch;
        else
            too_long = true;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    return too_long ? -1 : (long)n;
}

/*
 * Show `prompt` and read the secret with echo off, restoring the terminal afterwards (also
 * on a signal). The prompt appears only once echo is off, so nothing typed after it echoes.
 */
static long
read_secret(int fd, const char *prompt, char *buf, size_t cap)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
    struct sigaction sa, old[5];
    struct termios saved, quiet;
    bool restore = tcgetattr(fd, &saved) == 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: read() returns on a signal */
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 5; i++)
        sigaction(sigs[i], &sa, &old[i]);
    if (restore) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    say(fd, prompt);
    long n = read_line(fd, buf, cap);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &saved);
    say(fd, "\n");
    for (int i = 0; i < 5; i++)
        sigaction(sigs[i], &old[i], NULL);
    if (caught)
        raise(caught);
    return n;
}

enum cli_exit
cli_prompt_credentials(struct ra_client *c)
{
    char id[LINE_MAX_LEN], secret[LINE_MAX_LEN];
    int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        cli_err("no credentials: use --credentials FILE, set RESTAUTH_CUSTOMER_ID and "
                "RESTAUTH_CUSTOMER_SECRET, or run on a terminal to be asked");
        return CLI_USAGE;
    }
    enum cli_exit rc = CLI_USAGE;
    const char *env_id = getenv("RESTAUTH_CUSTOMER_ID");
    long idlen = -1, slen = -1;
    if (env_id != NULL && env_id[0] != '\0' && strlen(env_id) < sizeof(id)) {
        memcpy(id, env_id, strlen(env_id) + 1);
        idlen = (long)strlen(id);
    } else {
        say(fd, "Customer ID: ");
        idlen = read_line(fd, id, sizeof(id));
    }
    if (idlen > 0) {
        slen = read_secret(fd, "Customer Secret: ", secret, sizeof(secret));
    }
    if (idlen <= 0 || slen <= 0) {
        cli_err("no credentials entered");
    } else {
        enum ra_err e = ra_client_set_credentials(c, id, secret);
        rc = e == RA_OK ? CLI_OK : cli_fail(c, e);
    }
    explicit_bzero(secret, sizeof(secret));
    explicit_bzero(id, sizeof(id));
    close(fd);
    return rc;
}
