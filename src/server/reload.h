/* SPDX-License-Identifier: MIT */
/*
 * reload.h: what `kill -HUP` does to a running server. The settings that can change live
 * (the options marked `live` in the option table, config.c: the limits, the console's session
 * lengths, the diagnostics' level and format) are read again from the command line and the
 * configuration file; a file with errors changes nothing. Then the engine reloads its TLS
 * certificate and key.
 */
#ifndef RA_SERVER_RELOAD_H
#define RA_SERVER_RELOAD_H

#include "app.h"

struct http_server;

/*
 * Read the TLS certificate and key files again and use them for new connections; the engine
 * (src/server/http/) implements it. 0, -ENOTSUP when the engine cannot, or another negative
 * code after logging why (the old pair is then kept). reload_tls.c holds a weak default that
 * returns -ENOTSUP.
 */
int http_server_reload_tls(struct http_server *s);

/* The settings a server used before its reloads; freed when it stops. */
struct reload_history;

/*
 * Reload app's settings: build the new ones from app->cfg->cmdline and the configuration file
 * (when one was given), publish them in app->cfg (request threads see the new live values at
 * their next read), name on the log each other option whose value changed (a restart applies
 * it), apply the diagnostics' level and format, then reload TLS on http. *history keeps the
 * replaced settings alive until reload_history_free(). 0, or -EINVAL when the file has errors
 * (nothing changed), or -ENOMEM.
 */
int reload_settings(struct app *app, struct http_server *http, struct reload_history **history);

/* Free the settings kept by reload_settings(); accepts NULL. Call after every thread that
 * reads app->cfg has stopped. */
void reload_history_free(struct reload_history *history);

#endif
