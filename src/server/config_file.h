/* SPDX-License-Identifier: MIT */
/*
 * config_file.h: restauthd's configuration file (--config FILE). One "name = value" per line,
 * the names of the option table (config.c) without their "--"; "#" at the start of a line or
 * after a blank starts a comment; blank lines are ignored; a value may be written in double
 * quotes; a flag takes true/false, yes/no or 1/0; a repeatable option may appear on several
 * lines, any other option once. Options given on the command line win over the file: a
 * repeatable one given there replaces all of the file's values.
 *
 * One file serves every command: an option of `serve` that another command does not take is
 * skipped for that command (so `restauthd init --config F` reads the store from the file that
 * `serve` reads), and any other option the command does not take is an error.
 */
#ifndef RA_SERVER_CONFIG_FILE_H
#define RA_SERVER_CONFIG_FILE_H

#include "config.h"

/* The text of a loaded file, which the string values of a struct config point into. */
struct config_file;

/*
 * Read `path` into cfg for the command whose bit is `command` (CMD_*), named `words` in
 * messages: every option the command line has not given (cfg->given) is set from the file and
 * marked in cfg->from_file with its line. On any error (unreadable file, unknown name, bad
 * value, an option the command does not take, a second line for a single option) prints
 * "restauthd: FILE:LINE: why" to stderr and returns -EINVAL (or -errno for an unreadable
 * file); cfg is then half-filled. On success *out holds the text, to free with
 * config_file_free() once cfg is no longer used.
 */
int config_file_load(struct config *cfg, const char *path, unsigned command, const char *words,
                     struct config_file **out);

/* Free a loaded file's text; accepts NULL. */
void config_file_free(struct config_file *f);

/*
 * The settings of a reload: cmdline (the command line alone) with `path` read again over it
 * into *out, for `command`. Same results as config_file_load.
 */
int config_file_reload(const struct config *cmdline, const char *path, unsigned command,
                       const char *words, struct config *out, struct config_file **text);

#endif
