/* SPDX-License-Identifier: MIT */
/*
 * config_file.c: reading restauthd's configuration file into a struct config (format in
 * config_file.h). The file is read whole (at most CONFIG_FILE_MAX bytes) and split in place,
 * so every string value points into the one buffer it is kept in.
 */
#include "config_file.h"

#include "common/alloc.h"
#include "common/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CONFIG_FILE_MAX (1024 * 1024)

struct config_file {
    char *text;
};

/* What one load is doing: the file, its command and where the values go. */
struct load {
    struct config *cfg;
    const char *path;
    unsigned command;
    const char *words;
};

void
config_file_free(struct config_file *f)
{
    if (f == NULL)
        return;
    ra_free(f->text);
    ra_free(f);
}

/* Read the whole file into a new NUL-terminated buffer; 0 or -errno (-EFBIG if too large). */
static int
read_all(const char *path, char **out)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    char *text = ra_malloc(CONFIG_FILE_MAX + 1);
    size_t n = text != NULL ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
    int rc = text == NULL ? -ENOMEM : ferror(f) ? -EIO : n > CONFIG_FILE_MAX ? -EFBIG : 0;
    fclose(f);
    if (rc < 0) {
        ra_free(text);
        return rc;
    }
    text[n] = '\0';
    *out = text;
    return 0;
}

/* s without leading and trailing blanks (trailing ones are cut off in place). */
static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Cut a comment off the line: a "#" at its start or after a blank. */
static void
cut_comment(char *line)
{
    for (char *p = line; *p != '\0'; p++) {
        if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* Log "FILE:LINE: why" as an error; returns -EINVAL. */
static int line_error(const struct load *ld, unsigned lineno, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
line_error(const struct load *ld, unsigned lineno, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    ra_log(RA_LOG_ERR, "%s:%u: %s", ld->path, lineno, why);
    return -EINVAL;
}

/* The table entry a file's name spells (no leading "--"), or NULL. */
static const struct config_option *
option_named(const char *name)
{
    char flag[64];
    if (name[0] == '-' || (size_t)snprintf(flag, sizeof(flag), "--%s", name) >= sizeof(flag))
        return NULL;
    return config_find(flag);
}

/* Whether option o may stand in the file for this command: 1 yes, 0 skip it (an option of
 * serve that this command does not take), or a negative code after printing why not. */
static int
option_allowed(const struct load *ld, const struct config_option *o, unsigned lineno)
{
    const char *name = o->name + 2;
    if (strcmp(o->name, "--config") == 0 || strcmp(o->name, "--help") == 0)
        return line_error(ld, lineno, "%s cannot be set in a configuration file", name);
    if ((o->commands & ld->command) != 0)
        return 1;
    if ((o->commands & CMD_SERVE) != 0)
        return 0;
    return line_error(ld, lineno, "%s does not take %s", ld->words, name);
}

/* One line of the file, without its comment and not blank. 0 or -EINVAL after printing. */
static int
load_line(struct load *ld, char *line, unsigned lineno)
{
    char *eq = strchr(line, '=');
    if (eq == NULL)
        return line_error(ld, lineno, "expected name = value");
    *eq = '\0';
    char *name = trim(line), *value = trim(eq + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    }
    const struct config_option *o = option_named(name);
    if (o == NULL)
        return line_error(ld, lineno, "unknown option \"%s\"%s", name,
                          name[0] == '-' ? " (write names without the leading --)" : "");
    if (value[0] == '\0')
        return line_error(ld, lineno, "%s needs a value", name);
    int allowed = option_allowed(ld, o, lineno);
    if (allowed <= 0)
        return allowed;
    struct config *cfg = ld->cfg;
    uint64_t bit = config_bit(o);
    size_t index = (size_t)__builtin_ctzll(bit);
    if ((cfg->from_file & bit) != 0 && o->type != CONFIG_LIST)
        return line_error(ld, lineno, "%s is set twice (first on line %u)", name,
                          cfg->file_line[index]);
    char where[4200];
    snprintf(where, sizeof(where), "%s:%u", ld->path, lineno);
    if ((cfg->given & bit) != 0) {
        /* The command line wins; the value must still be one the option accepts. */
        struct config scratch;
        config_defaults(&scratch);
        return config_set(&scratch, o, value, where);
    }
    if (config_set(cfg, o, value, where) < 0)
        return -EINVAL;
    if (o->type == CONFIG_LIST) {
        struct config_list *list = (struct config_list *)((char *)cfg + o->offset);
        list->line[list->n - 1] = lineno;
    }
    if ((cfg->from_file & bit) == 0)
        cfg->file_line[index] = lineno;
    cfg->from_file |= bit;
    return 0;
}

int
config_file_load(struct config *cfg, const char *path, unsigned command, const char *words,
                 struct config_file **out)
{
    *out = NULL;
    struct config_file *f = ra_calloc(1, sizeof(*f));
    if (f == NULL)
        return -ENOMEM;
    int rc = read_all(path, &f->text);
    if (rc < 0) {
        ra_log(RA_LOG_ERR, "cannot read %s: %s", path,
               rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
        ra_free(f);
        return rc;
    }
    struct load ld = {.cfg = cfg, .path = path, .command = command, .words = words};
    unsigned lineno = 0;
    for (char *line = f->text; rc == 0 && line != NULL;) {
        char *next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        lineno++;
        cut_comment(line);
        char *body = trim(line);
        if (body[0] != '\0')
            rc = load_line(&ld, body, lineno);
        line = next;
    }
    if (rc < 0) {
        config_file_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int
config_file_reload(const struct config *cmdline, const char *path, unsigned command,
                   const char *words, struct config *out, struct config_file **text)
{
    *out = *cmdline;
    out->cmdline = cmdline;
    return config_file_load(out, path, command, words, text);
}
