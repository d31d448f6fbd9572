/*
 * The C surface of the TLS library (libevent_openssl): OpenSSL 3, our
 * public headers, and the core's internal bufferevent names
 * (CEventKindOps.h). Like libevent's own libevent_openssl, EventTls reaches
 * the core through C symbols only, never the Event module. Static inline
 * helpers stand in for the OpenSSL macros Swift cannot call.
 */
#ifndef CEVENTTLS_H
#define CEVENTTLS_H

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>
#include <event2/bufferevent_ssl.h>
#include <event2/util.h>
#include "CEventKindOps.h"

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/bio.h>

/* Allocations this thread's Swift runtime could not get (runtime_alloc.c,
 * this library's private copy): objects built while it moved came from the
 * emergency reserve and must not be handed out. */
unsigned long cev_alloc_failure_count(void);

/* ---- tls_shim.c ---- */
/* The kind table every TLS bufferevent carries in be_ops. */
extern const struct bufferevent_ops cevtls_ops;
static inline const struct bufferevent_ops *cevtls_ops_ptr(void) { return &cevtls_ops; }
/* The BIO method over a bufferevent (filters), made once. */
BIO_METHOD *cevtls_bio_method(void);
/* A message through the program's log callback (event_warnx). */
void cevtls_warn(const char *msg);
void cevtls_warn_code(const char *msg, int code);

static inline int cevtls_errno(void) { return errno; }
/* Bytes the kernel holds for reading on fd (FIONREAD; ioctl is variadic), -1 if unknown. */
static inline int cevtls_readable_bytes(int fd) { int n = 0; return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n; }
static inline void cevtls_set_errno(int e) { errno = e; }

/* OpenSSL macros. */
static inline long cevtls_bio_get_fd(BIO *b) { return BIO_get_fd(b, NULL); }
static inline void cevtls_bio_set_noclose(BIO *b) { (void)BIO_set_close(b, BIO_NOCLOSE); }
static inline void cevtls_set_moving_buffer(SSL *s) { SSL_set_mode(s, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER); }
static inline void cevtls_bio_clear_retry(BIO *b) { BIO_clear_retry_flags(b); }
static inline void cevtls_bio_retry_read(BIO *b) { BIO_set_retry_read(b); }
static inline void cevtls_bio_retry_write(BIO *b) { BIO_set_retry_write(b); }
static inline int cevtls_err_reason(unsigned long e) { return ERR_GET_REASON(e); }
static inline int cevtls_unexpected_eof_reason(void) { return SSL_R_UNEXPECTED_EOF_WHILE_READING; }

#endif
