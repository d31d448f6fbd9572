/*
 * event2/bufferevent_ssl.h -- bufferevents that speak TLS through OpenSSL.
 *
 * Declarations only: swift-libevent does not ship libevent_openssl, so a
 * program calling these fails to link rather than misbehaving at run time.
 * The SSL object is passed as struct ssl_st, so OpenSSL's headers are not
 * needed to include this one.
 */
#ifndef EVENT2_BUFFEREVENT_SSL_H_INCLUDED_
#define EVENT2_BUFFEREVENT_SSL_H_INCLUDED_

#include <event2/visibility.h>
#include <event2/event-config.h>
#include <event2/bufferevent.h>
#include <event2/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/* OpenSSL's SSL type, kept opaque here. */
struct ssl_st;

/* Which side of the TLS handshake the new bufferevent starts in. */
enum bufferevent_ssl_state {
	BUFFEREVENT_SSL_OPEN = 0,         /* handshake already done */
	BUFFEREVENT_SSL_CONNECTING = 1,   /* act as the client */
	BUFFEREVENT_SSL_ACCEPTING = 2     /* act as the server */
};

#if defined(EVENT__HAVE_OPENSSL) || defined(EVENT_IN_DOXYGEN_)
/* TLS over another bufferevent. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *
bufferevent_openssl_filter_new(struct event_base *base,
    struct bufferevent *underlying,
    struct ssl_st *ssl,
    enum bufferevent_ssl_state state,
    int options);

/* TLS directly on a socket. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *
bufferevent_openssl_socket_new(struct event_base *base,
    evutil_socket_t fd,
    struct ssl_st *ssl,
    enum bufferevent_ssl_state state,
    int options);

/* Whether a close without a TLS close_notify counts as plain EOF. */
EVENT2_EXPORT_SYMBOL
int bufferevent_openssl_get_allow_dirty_shutdown(struct bufferevent *bev);
EVENT2_EXPORT_SYMBOL
void bufferevent_openssl_set_allow_dirty_shutdown(struct bufferevent *bev,
    int allow_dirty_shutdown);

/* The SSL object behind the bufferevent, or NULL. */
EVENT2_EXPORT_SYMBOL
struct ssl_st *
bufferevent_openssl_get_ssl(struct bufferevent *bufev);

/* Start a new handshake on the connection. */
EVENT2_EXPORT_SYMBOL
int bufferevent_ssl_renegotiate(struct bufferevent *bev);

/* Pop the oldest queued OpenSSL error code (0 when none). */
EVENT2_EXPORT_SYMBOL
unsigned long bufferevent_get_openssl_error(struct bufferevent *bev);

#endif

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
