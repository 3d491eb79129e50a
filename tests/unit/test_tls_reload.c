/* SPDX-License-Identifier: MIT */
/*
 * test_tls_reload.c: http_server_reload_tls (server/http/server.c) on a running server on
 * 127.0.0.1: new connections get the certificate read again from --tls-cert, a connection
 * opened before keeps working, and a bad pair leaves the current certificate in place (with a
 * negative code). The certificates are made with the openssl command.
 */
#include "app.h"
#include "common/rand.h"
#include "http/server.h"

#include "harness.h"

#include <stdlib.h>

static char tmpdir[] = "/tmp/ra-test-tls-reload-XXXXXX";
#include "tmpdir.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

static char cert_path[PATH_MAX], key_path[PATH_MAX];

/* Write a new self-signed P-256 pair over cert_path and key_path; 0 on success. */
static int
new_pair(const char *cn)
{
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-days 1 -subj /CN=%s -keyout %s -out %s >/dev/null 2>&1",
             cn, key_path, cert_path);
    return system(cmd);
}

/* A port nothing listens on now. */
static int
free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0)
        return -1;
    close(fd);
    return ntohs(a.sin_port);
}

struct client {
    int fd;
    SSL *ssl;
};

/* A TLS connection to the port (no verification: the test compares certificates itself). */
static struct client
dial(SSL_CTX *ctx, int port)
{
    struct client c = {socket(AF_INET, SOCK_STREAM, 0), NULL};
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (c.fd < 0 || connect(c.fd, (struct sockaddr *)&a, sizeof(a)) < 0)
        return c;
    c.ssl = SSL_new(ctx);
    SSL_set_fd(c.ssl, c.fd);
    if (SSL_connect(c.ssl) != 1) {
        SSL_free(c.ssl);
        c.ssl = NULL;
    }
    return c;
}

static void
hang_up(struct client *c)
{
    if (c->ssl != NULL)
        SSL_free(c->ssl);
    close(c->fd);
}

/* The common name of the server's certificate on c, into cn ("" when there is none). */
static void
peer_cn(const struct client *c, char *cn, size_t cap)
{
    cn[0] = '\0';
    X509 *x = c->ssl != NULL ? SSL_get1_peer_certificate(c->ssl) : NULL;
    if (x != NULL)
        X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, (int)cap);
    X509_free(x);
}

/* One request on c; true when an HTTP/1.1 answer comes back. */
static bool
answers(struct client *c)
{
    static const char req[] = "GET /nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    char buf[512];
    if (c->ssl == NULL || SSL_write(c->ssl, req, (int)sizeof(req) - 1) <= 0)
        return false;
    int n = SSL_read(c->ssl, buf, (int)sizeof(buf) - 1);
    return n > 9 && memcmp(buf, "HTTP/1.1 ", 9) == 0;
}

static void
test_reload(void)
{
    struct config cfg;
    struct store st;
    struct app app = {0};
    char url[PATH_MAX + 16], listen[32];
    static const unsigned char key[SECRET_KEY_LEN] = {7};
    path_in(cert_path, sizeof(cert_path), "", "cert.pem");
    path_in(key_path, sizeof(key_path), "", "key.pem");
    ASSERT_EQ_INT(new_pair("first"), 0);
    config_defaults(&cfg);
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", free_port());
    cfg.listen = listen;
    cfg.tls_cert = cert_path;
    cfg.tls_key = key_path;
    cfg.access_log = "off";
    cfg.threads = 1;
    ASSERT_EQ_INT(store_open(path_in(url, sizeof(url), "sqlite:", "ra.db"), &st), 0);
    ASSERT_EQ_INT(app_open(&app, &cfg, &st, key), 0);
    struct http_server *s = NULL;
    ASSERT_EQ_INT(http_server_start(&app, &s), 0);
    if (s == NULL)
        return;
    int port = atoi(strchr(listen, ':') + 1);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char cn[64];

    struct client before = dial(ctx, port);
    peer_cn(&before, cn, sizeof(cn));
    ASSERT_TRUE(strcmp(cn, "first") == 0);

    ASSERT_EQ_INT(new_pair("second"), 0);
    ASSERT_EQ_INT(http_server_reload_tls(s), 0);
    struct client after = dial(ctx, port);
    peer_cn(&after, cn, sizeof(cn));
    ASSERT_TRUE(strcmp(cn, "second") == 0);
    ASSERT_TRUE(answers(&before)); /* the open connection goes on */
    ASSERT_TRUE(answers(&after));

    FILE *f = fopen(key_path, "w"); /* a key that is not PEM: refused, "second" stays */
    ASSERT_TRUE(f != NULL);
    if (f != NULL) {
        fputs("not a key\n", f);
        fclose(f);
    }
    ASSERT_TRUE(http_server_reload_tls(s) < 0);
    struct client third = dial(ctx, port);
    peer_cn(&third, cn, sizeof(cn));
    ASSERT_TRUE(strcmp(cn, "second") == 0);
    ASSERT_TRUE(answers(&third));

    hang_up(&before);
    hang_up(&after);
    hang_up(&third);
    SSL_CTX_free(ctx);
    http_server_stop(s, 1000);
    app_cleanup(&app);
    store_close(&st);
}

int
main(void)
{
    if (tmpdir_make() < 0 || ra_rand_init() < 0)
        return 1;
    RUN(test_reload);
    tmpdir_remove();
    return harness_done();
}
