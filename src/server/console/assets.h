/* SPDX-License-Identifier: MIT */
/*
 * assets.h: the console's web files (src/server/console/www/), embedded into the binary at
 * build time by embed.cmake, which generates console_assets.c in the build tree. The console
 * needs no file at run time.
 */
#ifndef RA_SERVER_CONSOLE_ASSETS_H
#define RA_SERVER_CONSOLE_ASSETS_H

#include <stddef.h>

struct console_asset {
    const char *name; /* file name, e.g. "console.js" */
    const char *type; /* Content-Type */
    const unsigned char *data;
    size_t len;
};

extern const struct console_asset console_assets[];
extern const size_t console_assets_count;

#endif
