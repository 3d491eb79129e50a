/* SPDX-License-Identifier: MIT */
/*
 * config_doc.h: what is written from the option and command tables: `check-config` (the
 * effective settings and where each comes from), the commented example configuration file
 * (dist/restauthd.conf) and the generated part of restauthd(8) (docs/man/restauthd.8).
 * Each is a command_fn (commands.h) and returns an exit code.
 */
#ifndef RA_SERVER_CONFIG_DOC_H
#define RA_SERVER_CONFIG_DOC_H

#include "config.h"

#include <stddef.h>

/* `check-config`: check every setting serve would use (values, the listen address, the
 * socket mode, the forward-limit rules, the trusted proxy, the TLS pair, the user), print the
 * effective ones to stdout as "name = value  # source" with secrets redacted; 0, or 2 after
 * naming each problem on stderr. */
int config_doc_check(const struct config *cfg, int argc, char **argv);

/* `config-example`: every server option, commented out at its default with its help; the
 * options given (on the command line or in a file) are written as settings instead. */
int config_doc_example(const struct config *cfg, int argc, char **argv);

/* `manual`: the COMMANDS and OPTIONS sections of restauthd(8), in roff. */
int config_doc_manual(const struct config *cfg, int argc, char **argv);

/*
 * Copy value into out (size len) with what is secret in it replaced by "REDACTED": the
 * password of a URL's user information ("postgresql://u:REDACTED@h/db") and the value of
 * every "password=" parameter. Returns out.
 */
const char *config_doc_redact(const char *value, char *out, size_t len);

#endif
