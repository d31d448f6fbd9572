/*
 * event2/listener.h -- accepting TCP (or local) connections.
 *
 * An evconnlistener watches a listening socket and calls back with each
 * accepted connection, already made non-blocking unless asked otherwise.
 */
#ifndef EVENT2_LISTENER_H_INCLUDED_
#define EVENT2_LISTENER_H_INCLUDED_

#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event.h>

struct sockaddr;
struct evconnlistener;

/* New connection: its socket, the peer address and that address's length. */
typedef void (*evconnlistener_cb)(struct evconnlistener *, evutil_socket_t, struct sockaddr *, int socklen, void *);

/* accept() failed; EVUTIL_SOCKET_ERROR() tells why. */
typedef void (*evconnlistener_errorcb)(struct evconnlistener *, void *);

/* Flags for evconnlistener_new() and evconnlistener_new_bind(). */
/* Hand over accepted sockets in blocking mode. */
#define LEV_OPT_LEAVE_SOCKETS_BLOCKING	(1u<<0)
/* Close the listening socket when the listener is freed. */
#define LEV_OPT_CLOSE_ON_FREE		(1u<<1)
/* Mark the listening socket close-on-exec. */
#define LEV_OPT_CLOSE_ON_EXEC		(1u<<2)
/* Allow re-binding the address right after a previous listener closed. */
#define LEV_OPT_REUSEABLE		(1u<<3)
/* Give the listener a lock for multi-threaded use. */
#define LEV_OPT_THREADSAFE		(1u<<4)
/* Create the listener disabled; evconnlistener_enable() starts it. */
#define LEV_OPT_DISABLED		(1u<<5)
/* Report a connection only once the peer has sent data, where supported. */
#define LEV_OPT_DEFERRED_ACCEPT		(1u<<6)
/* Let several processes or sockets listen on the same port. */
#define LEV_OPT_REUSEABLE_PORT		(1u<<7)
/* Accept IPv6 connections only on an AF_INET6 socket. */
#define LEV_OPT_BIND_IPV6ONLY		(1u<<8)

/* Listen on an existing bound socket fd.  backlog < 0 leaves the socket as
 * it is (already listening); 0 picks a default.  NULL on error. */
EVENT2_EXPORT_SYMBOL
struct evconnlistener *evconnlistener_new(struct event_base *base,
    evconnlistener_cb cb, void *ptr, unsigned flags, int backlog,
    evutil_socket_t fd);

/* Create, bind and listen on a socket for address sa. */
EVENT2_EXPORT_SYMBOL
struct evconnlistener *evconnlistener_new_bind(struct event_base *base,
    evconnlistener_cb cb, void *ptr, unsigned flags, int backlog,
    const struct sockaddr *sa, int socklen);

EVENT2_EXPORT_SYMBOL
void evconnlistener_free(struct evconnlistener *lev);

/* Resume or pause accepting. */
EVENT2_EXPORT_SYMBOL
int evconnlistener_enable(struct evconnlistener *lev);
EVENT2_EXPORT_SYMBOL
int evconnlistener_disable(struct evconnlistener *lev);

EVENT2_EXPORT_SYMBOL
struct event_base *evconnlistener_get_base(struct evconnlistener *lev);

/* The listening socket. */
EVENT2_EXPORT_SYMBOL
evutil_socket_t evconnlistener_get_fd(struct evconnlistener *lev);

/* Replace the accept callback (NULL pauses delivery). */
EVENT2_EXPORT_SYMBOL
void evconnlistener_set_cb(struct evconnlistener *lev,
    evconnlistener_cb cb, void *arg);

/* Set the function called when accept() fails. */
EVENT2_EXPORT_SYMBOL
void evconnlistener_set_error_cb(struct evconnlistener *lev,
    evconnlistener_errorcb errorcb);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
