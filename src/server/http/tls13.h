/* SPDX-License-Identifier: MIT */
/*
 * tls13.h: the TLS 1.3 record layer of an HTTP/1.1 connection once OpenSSL has finished its
 * handshake (RFC 8446, section 5), so that the connection no longer needs OpenSSL's per
 * connection state (about 14 KiB: the SSL object, its two cipher contexts, its session and
 * key shares). What is kept is about 200 bytes: the two traffic secrets, their keys and IVs,
 * and the two record sequence numbers.
 *
 * OpenSSL still does every handshake. While it does, two callbacks installed on the context
 * (tls13_capture_install) note the traffic secrets and count the records protected with them;
 * tls13_take then builds the record state, or declines (TLS 1.2, a record half read, anything
 * unusual), in which case the connection simply stays with OpenSSL.
 *
 * After that, the caller opens each record that arrives (tls13_record_len, tls13_open) and
 * seals what it sends (tls13_seal, tls13_seal_alert). The AEADs are OpenSSL's (AES-GCM and
 * ChaCha20-Poly1305, through EVP), in contexts kept per thread (struct tls13_ciphers), keyed
 * again for each record. A KeyUpdate from the peer is honoured; any other handshake message
 * after the handshake, an unexpected record or a record that fails to open is fatal.
 */
#ifndef RA_SERVER_HTTP_TLS13_H
#define RA_SERVER_HTTP_TLS13_H

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Largest plaintext of one record, and the most a record adds to it (header, type, tag). */
#define TLS13_MAX_PLAIN 16384
#define TLS13_OVERHEAD (5 + 1 + 16)
/* Room for a sealed alert, and for a KeyUpdate record. */
#define TLS13_ALERT_RECORD (5 + 2 + 1 + 16)

enum tls13_suite { TLS13_AES_128_GCM, TLS13_AES_256_GCM, TLS13_CHACHA20_POLY1305, TLS13_SUITES };

/* One direction: its traffic secret (for KeyUpdate), key, IV and next sequence number. */
struct tls13_dir {
    uint8_t secret[48];
    uint8_t key[32];
    uint8_t iv[12];
    uint64_t seq;
};

struct tls13 {
    enum tls13_suite suite;
    bool update_due; /* the peer asked for a KeyUpdate: ours precedes our next record */
    struct tls13_dir rd, wr;
    uint8_t *ahead; /* records OpenSSL sealed (tls13_ticket) that go out before ours */
    size_t ahead_len;
};

/* One cipher context per suite, and an HMAC context per hash (SHA-256, SHA-384), for one
 * thread. */
struct tls13_ciphers {
    EVP_CIPHER_CTX *ctx[TLS13_SUITES];
    EVP_MAC_CTX *hmac[2];
};

/* Make the contexts of c (all NULL on failure). 0 or -ENOMEM. */
int tls13_ciphers_init(struct tls13_ciphers *c);

void tls13_ciphers_free(struct tls13_ciphers *c);

/* Install on a server context the callbacks that note secrets and count records. The
 * context's key log callback is switched on and off by its handshakes, so a context must be
 * used by one thread only. With `ticket_later`, a TLS 1.3 connection that does not choose
 * HTTP/2 gets no session ticket in its handshake: tls13_ticket makes it after tls13_take.
 * 0 or -ENOMEM. */
int tls13_capture_install(SSL_CTX *ctx, bool ticket_later);

/*
 * The record state of ssl, a server connection whose TLS 1.3 handshake has just completed,
 * and every record of which that OpenSSL has read has been decrypted and handed on (none is
 * pending inside OpenSSL). On success *out is allocated and ssl may be freed without a
 * shutdown: the caller protects every record from then on. -ENOTSUP when the connection
 * cannot be taken (not TLS 1.3, another suite, a record pending, a key already updated, an
 * alert exchanged, secrets not seen); -ENOMEM.
 */
int tls13_take(SSL *ssl, struct tls13_ciphers *c, struct tls13 **out);

/*
 * Have OpenSSL seal a session ticket for ssl, just taken into t (tls13_take), into memory
 * rather than onto its socket (its write side is replaced: the SSL is about to be freed). The
 * record is kept in t and goes out ahead of the first record sealed here, which is numbered
 * after it: the ticket travels with the first reply instead of in a write and a TCP segment
 * of its own. 0 when a ticket is kept; a negative code when none is (t is then unchanged).
 */
int tls13_ticket(SSL *ssl, struct tls13 *t);

/* Set t up from the two traffic secrets (tls13_secret_len bytes each), both sequences at 0.
 * 0 or -EIO. */
int tls13_init(struct tls13 *t, struct tls13_ciphers *c, enum tls13_suite suite,
               const uint8_t *read_secret, const uint8_t *write_secret);

/* The length of a traffic secret of the suite (that of its hash). */
size_t tls13_secret_len(enum tls13_suite suite);

/* Wipe and free t (NULL is accepted). */
void tls13_free(struct tls13 *t);

/*
 * The length of the record at the start of p[0..n): 0 while it is not all in, or
 * -EMSGSIZE for a header no TLS 1.3 peer sends after the handshake (not application data,
 * a bad version, a length over the limit).
 */
long tls13_record_len(const uint8_t *p, size_t n);

/*
 * Open the whole record rec[0..len) (len from tls13_record_len) into out, which has room for
 * len - TLS13_OVERHEAD + 1 bytes. Returns the number of application data bytes written to
 * out (0 or more); -ECONNRESET for an alert (close_notify or any other: the peer is done);
 * -EBADMSG when the record fails to open (bad_record_mac); -EPROTO when it holds what is not
 * allowed (unexpected_message). A KeyUpdate is applied here (and when the peer asks, ours is
 * made due).
 */
long tls13_open(struct tls13 *t, struct tls13_ciphers *c, const uint8_t *rec, size_t len,
                uint8_t *out);

/* How many bytes tls13_seal writes for `n` bytes of application data (with what goes
 * ahead). */
size_t tls13_sealed_size(const struct tls13 *t, size_t n);

/*
 * Seal the `count` buffers as application data records of at most TLS13_MAX_PLAIN bytes into
 * out (tls13_sealed_size bytes of room), after what goes ahead (tls13_ticket) and a KeyUpdate
 * when one is due. Returns the bytes written, or -EIO when the cipher fails.
 */
long tls13_seal(struct tls13 *t, struct tls13_ciphers *c, const struct iovec *bufs, size_t count,
                uint8_t *out);

/* How many bytes tls13_seal_alert writes: the alert's record, and what goes ahead of it. */
size_t tls13_alert_size(const struct tls13 *t);

/* Seal an alert (level 1 for close_notify, 2 for a fatal one) into out, which has
 * tls13_alert_size bytes of room, after what goes ahead. Returns the bytes written, or -EIO. */
long tls13_seal_alert(struct tls13 *t, struct tls13_ciphers *c, uint8_t level, uint8_t description,
                      uint8_t *out);

#endif
