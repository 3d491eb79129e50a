/* SPDX-License-Identifier: MIT */
/*
 * reload_tls.c: the default http_server_reload_tls (reload.h), a weak symbol: an engine that
 * can reload its certificate defines the real one in src/server/http/, which the linker then
 * takes instead.
 */
#include "reload.h"

#include <errno.h>

__attribute__((weak)) int
http_server_reload_tls(struct http_server *s)
{
    (void)s;
    return -ENOTSUP;
}
