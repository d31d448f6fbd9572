/*
 * event2/http_struct.h -- the layout of struct evhttp_request, as in
 * libevent 2.1.12, for old code that reads its fields directly.  New code
 * should use the evhttp_request_get_* functions.  Include <event2/http.h>
 * first: the enums used below are declared there.
 */
#ifndef EVENT2_HTTP_STRUCT_H_INCLUDED_
#define EVENT2_HTTP_STRUCT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif

/* ev_uint16_t, ev_int64_t */
#include <event2/util.h>

/* One HTTP request or response. */
struct evhttp_request {
#if defined(TAILQ_ENTRY)
	TAILQ_ENTRY(evhttp_request) next;
#else
	/* Same shape as TAILQ_ENTRY(evhttp_request). */
	struct {
		struct evhttp_request *tqe_next;
		struct evhttp_request **tqe_prev;
	}       next;
#endif

	/* connection the request travels on */
	struct evhttp_connection *evcon;
	int flags;
/* Values of 'flags'. */
#define EVHTTP_REQ_OWN_CONNECTION	0x0001  /* free evcon with the request */
#define EVHTTP_PROXY_REQUEST		0x0002  /* request to a proxy */
#define EVHTTP_USER_OWNED		0x0004  /* freed by the program */
#define EVHTTP_REQ_DEFER_FREE		0x0008  /* free after the callback */
#define EVHTTP_REQ_NEEDS_FREE		0x0010  /* free was deferred */

	struct evkeyvalq *input_headers;
	struct evkeyvalq *output_headers;

	/* peer address text and port */
	char *remote_host;
	ev_uint16_t remote_port;

	/* cached result of evhttp_request_get_host() */
	char *host_cache;

	enum evhttp_request_kind kind;
	enum evhttp_cmd_type type;

	size_t headers_size;
	size_t body_size;

	char *uri;                      /* request target as received */
	struct evhttp_uri *uri_elems;   /* the same, parsed */

	char major;                     /* HTTP major version */
	char minor;                     /* HTTP minor version */

	int response_code;              /* e.g. HTTP_OK */
	char *response_code_line;       /* reason phrase */

	struct evbuffer *input_buffer;  /* body read so far */
	ev_int64_t ntoread;
	unsigned chunked:1,             /* body uses chunked encoding */
	    userdone:1;                 /* the program finished its reply */

	struct evbuffer *output_buffer; /* body to send */

	/* Completion callback and its argument. */
	void (*cb)(struct evhttp_request *, void *);
	void *cb_arg;

	/* Per-chunk callback for streamed bodies (shares cb_arg). */
	void (*chunk_cb)(struct evhttp_request *, void *);

	/* Runs after headers arrive; nonzero cancels (shares cb_arg). */
	int (*header_cb)(struct evhttp_request *, void *);

	/* Runs on failure (shares cb_arg). */
	void (*error_cb)(enum evhttp_request_error, void *);

	/* Runs when the request is done, with its own argument. */
	void (*on_complete_cb)(struct evhttp_request *, void *);
	void *on_complete_cb_arg;
};

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
