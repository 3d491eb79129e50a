/* SPDX-License-Identifier: MIT */
/*
 * test_peers.c: connections per client address (server/http/peers.c): the cap per address, an
 * IPv4 client and its IPv4-mapped IPv6 spelling sharing one count, addresses apart from each
 * other, a count freed by peers_give, and Unix socket peers never counted.
 */
#include "http/peers.h"

#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

static struct sockaddr_storage
addr(const char *text)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, text, &in->sin_addr) == 1)
        in->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
    return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static void
test_cap_per_address(void)
{
    static struct peers p;
    peers_init(&p, 2);
    struct sockaddr_storage a = addr("192.0.2.1"), mapped = addr("::ffff:192.0.2.1");
    struct sockaddr_storage b = addr("192.0.2.2"), v6 = addr("2001:db8::1");
    ASSERT_EQ_INT(peers_take(&p, SA(a)), 0);
    ASSERT_EQ_INT(peers_take(&p, SA(mapped)), 0); /* the same client */
    ASSERT_EQ_INT(peers_take(&p, SA(a)), -EMFILE);
    ASSERT_EQ_INT(peers_take(&p, SA(mapped)), -EMFILE);
    ASSERT_EQ_INT(peers_take(&p, SA(b)), 0); /* another one is not touched */
    ASSERT_EQ_INT(peers_take(&p, SA(v6)), 0);
    ASSERT_EQ_INT(peers_take(&p, SA(v6)), 0);
    ASSERT_EQ_INT(peers_take(&p, SA(v6)), -EMFILE);
    peers_give(&p, SA(a));
    ASSERT_EQ_INT(peers_take(&p, SA(mapped)), 0); /* a freed place is taken again */
    ASSERT_EQ_INT(peers_take(&p, SA(a)), -EMFILE);
    peers_give(&p, SA(a));
    peers_give(&p, SA(a));
    ASSERT_EQ_INT(peers_take(&p, SA(a)), 0); /* an entry gone at zero comes back empty */
    ASSERT_EQ_INT(peers_take(&p, SA(a)), 0);
    ASSERT_EQ_INT(peers_take(&p, SA(a)), -EMFILE);
    peers_cleanup(&p);
}

static void
test_unix_peers_not_counted(void)
{
    static struct peers p;
    peers_init(&p, 1);
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    for (int i = 0; i < 5; i++)
        ASSERT_EQ_INT(peers_take(&p, (const struct sockaddr *)&un), 0);
    peers_give(&p, (const struct sockaddr *)&un);
    peers_cleanup(&p);
}

int
main(void)
{
    RUN(test_cap_per_address);
    RUN(test_unix_peers_not_counted);
    return harness_done();
}
