/*
 * event2/http.h -- embedded HTTP server and client (evhttp).
 *
 * Declarations for libevent 2.1.12 source compatibility.  Functions that
 * swift-libevent does not implement are absent from the library, so using
 * them fails at link time.
 */
#ifndef EVENT2_HTTP_H_INCLUDED_
#define EVENT2_HTTP_H_INCLUDED_

/* ev_uint16_t, ev_ssize_t, evutil_socket_t */
#include <event2/util.h>
#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

struct evbuffer;
struct event_base;
struct bufferevent;
struct evhttp_connection;

/* Common status codes. */
#define HTTP_OK			200	/* OK */
#define HTTP_NOCONTENT		204	/* No Content */
#define HTTP_MOVEPERM		301	/* Moved Permanently */
#define HTTP_MOVETEMP		302	/* Found */
#define HTTP_NOTMODIFIED	304	/* Not Modified */
#define HTTP_BADREQUEST		400	/* Bad Request */
#define HTTP_NOTFOUND		404	/* Not Found */
#define HTTP_BADMETHOD		405	/* Method Not Allowed */
#define HTTP_ENTITYTOOLARGE	413	/* Payload Too Large */
#define HTTP_EXPECTATIONFAILED	417	/* Expectation Failed */
#define HTTP_INTERNAL           500     /* Internal Server Error */
#define HTTP_NOTIMPLEMENTED     501     /* Not Implemented */
#define HTTP_SERVUNAVAIL	503	/* Service Unavailable */

struct evhttp;
struct evhttp_request;
struct evkeyvalq;
struct evhttp_bound_socket;
struct evconnlistener;
struct evdns_base;

/* ---- Server ---------------------------------------------------------- */

/* A server with no sockets yet; NULL on failure. */
EVENT2_EXPORT_SYMBOL
struct evhttp *evhttp_new(struct event_base *base);

/* Listen on address:port; 0 on success, -1 on failure. */
EVENT2_EXPORT_SYMBOL
int evhttp_bind_socket(struct evhttp *http, const char *address, ev_uint16_t port);

/* Same, returning a handle for the new socket (NULL on failure). */
EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *evhttp_bind_socket_with_handle(struct evhttp *http, const char *address, ev_uint16_t port);

/* Serve on an already listening socket. */
EVENT2_EXPORT_SYMBOL
int evhttp_accept_socket(struct evhttp *http, evutil_socket_t fd);

EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *evhttp_accept_socket_with_handle(struct evhttp *http, evutil_socket_t fd);

/* Serve on connections accepted by an existing listener. */
EVENT2_EXPORT_SYMBOL
struct evhttp_bound_socket *evhttp_bind_listener(struct evhttp *http, struct evconnlistener *listener);

EVENT2_EXPORT_SYMBOL
struct evconnlistener *evhttp_bound_socket_get_listener(struct evhttp_bound_socket *bound);

/* Visitor for evhttp_foreach_bound_socket(). */
typedef void evhttp_bound_socket_foreach_fn(struct evhttp_bound_socket *, void *);
EVENT2_EXPORT_SYMBOL
void evhttp_foreach_bound_socket(struct evhttp *http, evhttp_bound_socket_foreach_fn *function, void *argument);

/* Stop serving on (and close) a bound socket. */
EVENT2_EXPORT_SYMBOL
void evhttp_del_accept_socket(struct evhttp *http, struct evhttp_bound_socket *bound_socket);

EVENT2_EXPORT_SYMBOL
evutil_socket_t evhttp_bound_socket_get_fd(struct evhttp_bound_socket *bound_socket);

/* Free the server, closing its sockets and connections. */
EVENT2_EXPORT_SYMBOL
void evhttp_free(struct evhttp* http);

/* Limits on request headers and bodies (bytes). */
EVENT2_EXPORT_SYMBOL
void evhttp_set_max_headers_size(struct evhttp* http, ev_ssize_t max_headers_size);
EVENT2_EXPORT_SYMBOL
void evhttp_set_max_body_size(struct evhttp* http, ev_ssize_t max_body_size);

/* Content-Type added to replies that lack one (NULL: add none). */
EVENT2_EXPORT_SYMBOL
void evhttp_set_default_content_type(struct evhttp *http,
	const char *content_type);

/* Methods (EVHTTP_REQ_* mask) the server accepts; others get 405. */
EVENT2_EXPORT_SYMBOL
void evhttp_set_allowed_methods(struct evhttp* http, ev_uint16_t methods);

/* Handle requests for an exact path; -1 if one is already registered. */
EVENT2_EXPORT_SYMBOL
int evhttp_set_cb(struct evhttp *http, const char *path,
    void (*cb)(struct evhttp_request *, void *), void *cb_arg);

/* Remove the handler for a path. */
EVENT2_EXPORT_SYMBOL
int evhttp_del_cb(struct evhttp *, const char *);

/* Handler for requests that match no path. */
EVENT2_EXPORT_SYMBOL
void evhttp_set_gencb(struct evhttp *http,
    void (*cb)(struct evhttp_request *, void *), void *arg);

/* Supply the bufferevent used for each new connection (e.g. for TLS). */
EVENT2_EXPORT_SYMBOL
void evhttp_set_bevcb(struct evhttp *http,
    struct bufferevent *(*cb)(struct event_base *, void *), void *arg);

/* Route requests whose Host matches pattern (glob) to vhost. */
EVENT2_EXPORT_SYMBOL
int evhttp_add_virtual_host(struct evhttp* http, const char *pattern,
    struct evhttp* vhost);

EVENT2_EXPORT_SYMBOL
int evhttp_remove_virtual_host(struct evhttp* http, struct evhttp* vhost);

/* Extra host names this server answers to. */
EVENT2_EXPORT_SYMBOL
int evhttp_add_server_alias(struct evhttp *http, const char *alias);

EVENT2_EXPORT_SYMBOL
int evhttp_remove_server_alias(struct evhttp *http, const char *alias);

/* Idle timeout of server connections. */
EVENT2_EXPORT_SYMBOL
void evhttp_set_timeout(struct evhttp *http, int timeout_in_secs);

EVENT2_EXPORT_SYMBOL
void evhttp_set_timeout_tv(struct evhttp *http, const struct timeval* tv);

/* Server flag: on an oversized request, read the rest before closing. */
#define EVHTTP_SERVER_LINGERING_CLOSE	0x0001
/* Set EVHTTP_SERVER_* flags; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evhttp_set_flags(struct evhttp *http, int flags);

/* ---- Replies ------------------------------------------------------------ */

/* Send an error page with the status code (reason NULL: standard text). */
EVENT2_EXPORT_SYMBOL
void evhttp_send_error(struct evhttp_request *req, int error,
    const char *reason);

/* Send a complete reply; databuf (may be NULL) is drained. */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply(struct evhttp_request *req, int code,
    const char *reason, struct evbuffer *databuf);

/* Chunked replies: start, send pieces, end. */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_start(struct evhttp_request *req, int code,
    const char *reason);

EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_chunk(struct evhttp_request *req,
    struct evbuffer *databuf);

/* As above; cb runs once the chunk has been written. */
EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_chunk_with_cb(struct evhttp_request *, struct evbuffer *,
    void (*cb)(struct evhttp_connection *, void *), void *arg);

EVENT2_EXPORT_SYMBOL
void evhttp_send_reply_end(struct evhttp_request *req);

/* ---- Requests and client connections ---------------------------------- */

/* Request methods (one bit each, so they can be combined in masks). */
enum evhttp_cmd_type {
	EVHTTP_REQ_GET     = 1 << 0,
	EVHTTP_REQ_POST    = 1 << 1,
	EVHTTP_REQ_HEAD    = 1 << 2,
	EVHTTP_REQ_PUT     = 1 << 3,
	EVHTTP_REQ_DELETE  = 1 << 4,
	EVHTTP_REQ_OPTIONS = 1 << 5,
	EVHTTP_REQ_TRACE   = 1 << 6,
	EVHTTP_REQ_CONNECT = 1 << 7,
	EVHTTP_REQ_PATCH   = 1 << 8
};

/* Whether an evhttp_request is an incoming request or a response. */
enum evhttp_request_kind { EVHTTP_REQUEST, EVHTTP_RESPONSE };

/* Client connection over a caller-supplied bufferevent (NULL: make one). */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_connection_base_bufferevent_new(
	struct event_base *base, struct evdns_base *dnsbase, struct bufferevent* bev, const char *address, ev_uint16_t port);

EVENT2_EXPORT_SYMBOL
struct bufferevent* evhttp_connection_get_bufferevent(struct evhttp_connection *evcon);

/* The server a connection was accepted by, or NULL for client connections. */
EVENT2_EXPORT_SYMBOL
struct evhttp *evhttp_connection_get_server(struct evhttp_connection *evcon);

/* A request object; cb receives the response (or NULL on failure). */
EVENT2_EXPORT_SYMBOL
struct evhttp_request *evhttp_request_new(
	void (*cb)(struct evhttp_request *, void *), void *arg);

/* Receive the response body piece by piece as it arrives. */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_chunked_cb(struct evhttp_request *,
    void (*cb)(struct evhttp_request *, void *));

/* Called once the response headers are in; nonzero aborts. */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_header_cb(struct evhttp_request *,
    int (*cb)(struct evhttp_request *, void *));

/* Why a request failed, as reported to the error callback. */
enum evhttp_request_error {
  EVREQ_HTTP_TIMEOUT,         /* timed out */
  EVREQ_HTTP_EOF,             /* connection closed early */
  EVREQ_HTTP_INVALID_HEADER,  /* unparsable headers */
  EVREQ_HTTP_BUFFER_ERROR,    /* read or write error */
  EVREQ_HTTP_REQUEST_CANCEL,  /* evhttp_cancel_request() was called */
  EVREQ_HTTP_DATA_TOO_LONG    /* body exceeded the limit */
};

EVENT2_EXPORT_SYMBOL
void evhttp_request_set_error_cb(struct evhttp_request *,
    void (*)(enum evhttp_request_error, void *));

/* Called when the request has been fully handled. */
EVENT2_EXPORT_SYMBOL
void evhttp_request_set_on_complete_cb(struct evhttp_request *req,
    void (*cb)(struct evhttp_request *, void *), void *cb_arg);

EVENT2_EXPORT_SYMBOL
void evhttp_request_free(struct evhttp_request *req);

/* Client connection to address:port (resolved via dnsbase if given). */
EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_connection_base_new(
	struct event_base *base, struct evdns_base *dnsbase,
	const char *address, ev_uint16_t port);

/* Address family used when resolving the host (AF_UNSPEC by default). */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_family(struct evhttp_connection *evcon,
	int family);

/* Connection flags. */
/* Reconnect to the address used before instead of resolving again. */
#define EVHTTP_CON_REUSE_CONNECTED_ADDR	0x0008
/* After a write error, still try to read the server's reply. */
#define EVHTTP_CON_READ_ON_WRITE_ERROR	0x0010
/* On an oversized body, keep reading before closing. */
#define EVHTTP_CON_LINGERING_CLOSE	0x0020
/* First bit not available to users. */
#define EVHTTP_CON_PUBLIC_FLAGS_END	0x100000

/* Set EVHTTP_CON_* flags; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evhttp_connection_set_flags(struct evhttp_connection *evcon,
	int flags);

/* Keep the request alive after its callback; free it yourself later. */
EVENT2_EXPORT_SYMBOL
void evhttp_request_own(struct evhttp_request *req);

EVENT2_EXPORT_SYMBOL
int evhttp_request_is_owned(struct evhttp_request *req);

EVENT2_EXPORT_SYMBOL
struct evhttp_connection *evhttp_request_get_connection(struct evhttp_request *req);

EVENT2_EXPORT_SYMBOL
struct event_base *evhttp_connection_get_base(struct evhttp_connection *req);

EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_max_headers_size(struct evhttp_connection *evcon,
    ev_ssize_t new_max_headers_size);

EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_max_body_size(struct evhttp_connection* evcon,
    ev_ssize_t new_max_body_size);

EVENT2_EXPORT_SYMBOL
void evhttp_connection_free(struct evhttp_connection *evcon);

/* Free the connection once its last request has completed. */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_free_on_completion(struct evhttp_connection *evcon);

/* Local address and port to bind outgoing connections to. */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_local_address(struct evhttp_connection *evcon,
    const char *address);

EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_local_port(struct evhttp_connection *evcon,
    ev_uint16_t port);

/* Request timeout. */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_timeout(struct evhttp_connection *evcon,
    int timeout_in_secs);

EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_timeout_tv(struct evhttp_connection *evcon,
    const struct timeval *tv);

/* Delay before the first reconnect attempt (doubling afterwards). */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_initial_retry_tv(struct evhttp_connection *evcon,
    const struct timeval *tv);

/* How many reconnects to attempt (-1: forever). */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_retries(struct evhttp_connection *evcon,
    int retry_max);

/* Called when the connection closes. */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_set_closecb(struct evhttp_connection *evcon,
    void (*)(struct evhttp_connection *, void *), void *);

/* Peer host (owned by the connection) and port. */
EVENT2_EXPORT_SYMBOL
void evhttp_connection_get_peer(struct evhttp_connection *evcon,
    char **address, ev_uint16_t *port);

/* Peer socket address, or NULL when not connected. */
EVENT2_EXPORT_SYMBOL
const struct sockaddr*
evhttp_connection_get_addr(struct evhttp_connection *evcon);

/* Send req (ownership passes to the connection); 0 on success. */
EVENT2_EXPORT_SYMBOL
int evhttp_make_request(struct evhttp_connection *evcon,
    struct evhttp_request *req,
    enum evhttp_cmd_type type, const char *uri);

/* Abort a request in progress; its callbacks will not run. */
EVENT2_EXPORT_SYMBOL
void evhttp_cancel_request(struct evhttp_request *req);

/* A parsed URI. */
struct evhttp_uri;

/* Request accessors. */
EVENT2_EXPORT_SYMBOL
const char *evhttp_request_get_uri(const struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
const struct evhttp_uri *evhttp_request_get_evhttp_uri(const struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
enum evhttp_cmd_type evhttp_request_get_command(const struct evhttp_request *req);

EVENT2_EXPORT_SYMBOL
int evhttp_request_get_response_code(const struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
const char * evhttp_request_get_response_code_line(const struct evhttp_request *req);

EVENT2_EXPORT_SYMBOL
struct evkeyvalq *evhttp_request_get_input_headers(struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
struct evkeyvalq *evhttp_request_get_output_headers(struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
struct evbuffer *evhttp_request_get_input_buffer(struct evhttp_request *req);
EVENT2_EXPORT_SYMBOL
struct evbuffer *evhttp_request_get_output_buffer(struct evhttp_request *req);
/* Host from the URI or the Host header, else the connection's peer. */
EVENT2_EXPORT_SYMBOL
const char *evhttp_request_get_host(struct evhttp_request *req);

/* ---- Headers ------------------------------------------------------------ */

/* Value of the first header named key (case-insensitive), or NULL. */
EVENT2_EXPORT_SYMBOL
const char *evhttp_find_header(const struct evkeyvalq *headers,
    const char *key);

/* Remove the first header named key; 0 if one was removed. */
EVENT2_EXPORT_SYMBOL
int evhttp_remove_header(struct evkeyvalq *headers, const char *key);

/* Append a header; -1 if key or value contains a line break. */
EVENT2_EXPORT_SYMBOL
int evhttp_add_header(struct evkeyvalq *headers, const char *key, const char *value);

/* Remove and free all headers. */
EVENT2_EXPORT_SYMBOL
void evhttp_clear_headers(struct evkeyvalq *headers);

/* ---- URI helpers (results are malloc'ed) ------------------------------- */

/* Percent-encode everything but unreserved characters. */
EVENT2_EXPORT_SYMBOL
char *evhttp_encode_uri(const char *str);

/* Encode size bytes (negative: up to NUL), optionally ' ' as '+'. */
EVENT2_EXPORT_SYMBOL
char *evhttp_uriencode(const char *str, ev_ssize_t size, int space_to_plus);

/* Decode %XX escapes (and '+' in the query part). */
EVENT2_EXPORT_SYMBOL
char *evhttp_decode_uri(const char *uri);

/* Decode %XX escapes; '+' becomes ' ' if decode_plus is set. */
EVENT2_EXPORT_SYMBOL
char *evhttp_uridecode(const char *uri, int decode_plus,
    size_t *size_out);

/* Split the query string of a URI into key/value pairs. */
EVENT2_EXPORT_SYMBOL
int evhttp_parse_query(const char *uri, struct evkeyvalq *headers);

/* Same for a bare query string ("a=1&b=2"). */
EVENT2_EXPORT_SYMBOL
int evhttp_parse_query_str(const char *uri, struct evkeyvalq *headers);

/* Escape <, >, ", ' and & for HTML. */
EVENT2_EXPORT_SYMBOL
char *evhttp_htmlescape(const char *html);

/* An empty URI object. */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_new(void);

/* EVHTTP_URI_* flags for evhttp_uri_join(). */
EVENT2_EXPORT_SYMBOL
void evhttp_uri_set_flags(struct evhttp_uri *uri, unsigned flags);

/* Components (NULL when absent; port -1 when absent). */
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_scheme(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_userinfo(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_host(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_get_port(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_path(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_query(const struct evhttp_uri *uri);
EVENT2_EXPORT_SYMBOL
const char *evhttp_uri_get_fragment(const struct evhttp_uri *uri);

/* Setters copy their argument and validate it; -1 if invalid. */
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_scheme(struct evhttp_uri *uri, const char *scheme);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_userinfo(struct evhttp_uri *uri, const char *userinfo);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_host(struct evhttp_uri *uri, const char *host);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_port(struct evhttp_uri *uri, int port);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_path(struct evhttp_uri *uri, const char *path);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_query(struct evhttp_uri *uri, const char *query);
EVENT2_EXPORT_SYMBOL
int evhttp_uri_set_fragment(struct evhttp_uri *uri, const char *fragment);

/* Parse an absolute or relative URI; NULL if malformed. */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_parse_with_flags(const char *source_uri,
    unsigned flags);

/* Parser flag: accept some common malformations. */
#define EVHTTP_URI_NONCONFORMANT 0x01

/* evhttp_uri_parse_with_flags(source_uri, 0). */
EVENT2_EXPORT_SYMBOL
struct evhttp_uri *evhttp_uri_parse(const char *source_uri);

EVENT2_EXPORT_SYMBOL
void evhttp_uri_free(struct evhttp_uri *uri);

/* Write the URI into buf (at most limit bytes); buf, or NULL if too long. */
EVENT2_EXPORT_SYMBOL
char *evhttp_uri_join(struct evhttp_uri *uri, char *buf, size_t limit);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
