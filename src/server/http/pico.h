/* SPDX-License-Identifier: MIT */
/*
 * pico.h: the HTTP/1.x parser inside h2o's library (picohttpparser). Debian's libh2o-evloop
 * exports these functions but installs no header for them, so their declarations are here.
 */
#ifndef RA_SERVER_HTTP_PICO_H
#define RA_SERVER_HTTP_PICO_H

#include <stddef.h>
#include <sys/types.h>

/* One header field of a parsed head; name is NULL for a continuation line (obs-fold). */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

/*
 * Parse a request head in buf[0..len): the length of the head (through its empty line),
 * -2 when incomplete, -1 when malformed. *num_headers gives the room in `headers` and
 * receives the count. last_len is the length of a previous incomplete attempt, or 0.
 */
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len,
                      const char **path, size_t *path_len, int *minor_version,
                      struct phr_header *headers, size_t *num_headers, size_t last_len);

/* The state of a chunked body being decoded; zero it, then set consume_trailer. */
struct phr_chunked_decoder {
    size_t bytes_left_in_chunk;
    char consume_trailer;
    char hex_count_;
    char state_;
};

/*
 * Decode chunked data in place: buf[0..*bufsz) in, the decoded bytes out at the start of buf
 * with their count in *bufsz. Returns -2 when more is needed (everything given was used),
 * -1 when malformed, or, at the end of the body, how many bytes after it remain (they follow
 * the decoded bytes).
 */
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf, size_t *bufsz);

#endif
