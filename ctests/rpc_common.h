/* Shared by the rpc_*.c tests: two message types written by hand the way
 * libevent's event_rpcgen.py writes them (an accessor table, *_new /
 * *_new_with_arg / *_free / *_clear / *_marshal / *_unmarshal / *_complete,
 * evtag_marshal_* / evtag_unmarshal_*), the RPC "Message" declared and
 * defined with EVRPC_HEADER / EVRPC_GENERATE, and an HTTP server on
 * 127.0.0.1 with a port picked by the kernel.
 *
 *   struct rpc_msg   { string from_name = 1; string to_name = 2;
 *                      optional int count = 3; optional int64 big = 4;
 *                      array int values = 5; }
 *   struct rpc_reply { string text = 1; int total = 2; optional bytes blob = 3;
 *                      optional struct[rpc_msg] echo = 4; optional timeval when = 5; }
 */
#ifndef RPC_COMMON_H
#define RPC_COMMON_H
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/http_struct.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/tag.h>
#include <event2/util.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

/* ---- struct rpc_msg ---- */
enum rpc_msg_ {
	RPC_MSG_FROM_NAME = 1, RPC_MSG_TO_NAME = 2, RPC_MSG_COUNT = 3,
	RPC_MSG_BIG = 4, RPC_MSG_VALUES = 5, RPC_MSG_MAX_TAGS
};

struct rpc_msg;
struct rpc_msg_access_ {
	int (*from_name_assign)(struct rpc_msg *, const char *);
	int (*from_name_get)(struct rpc_msg *, char **);
	int (*to_name_assign)(struct rpc_msg *, const char *);
	int (*to_name_get)(struct rpc_msg *, char **);
	int (*count_assign)(struct rpc_msg *, const ev_uint32_t);
	int (*count_get)(struct rpc_msg *, ev_uint32_t *);
	int (*big_assign)(struct rpc_msg *, const ev_uint64_t);
	int (*big_get)(struct rpc_msg *, ev_uint64_t *);
	int (*values_assign)(struct rpc_msg *, int, const ev_uint32_t);
	int (*values_get)(struct rpc_msg *, int, ev_uint32_t *);
	ev_uint32_t *(*values_add)(struct rpc_msg *msg, const ev_uint32_t value);
};

struct rpc_msg {
	struct rpc_msg_access_ *base;
	char *from_name_data;
	char *to_name_data;
	ev_uint32_t count_data;
	ev_uint64_t big_data;
	ev_uint32_t *values_data;
	int values_length;
	int values_num_allocated;
	ev_uint8_t from_name_set;
	ev_uint8_t to_name_set;
	ev_uint8_t count_set;
	ev_uint8_t big_set;
	ev_uint8_t values_set;
};

static int rpc_msg_from_name_assign(struct rpc_msg *m, const char *v)
{
	free(m->from_name_data);
	if ((m->from_name_data = strdup(v)) == NULL)
		return -1;
	m->from_name_set = 1;
	return 0;
}
static int rpc_msg_from_name_get(struct rpc_msg *m, char **v)
{
	if (m->from_name_set != 1)
		return -1;
	*v = m->from_name_data;
	return 0;
}
static int rpc_msg_to_name_assign(struct rpc_msg *m, const char *v)
{
	free(m->to_name_data);
	if ((m->to_name_data = strdup(v)) == NULL)
		return -1;
	m->to_name_set = 1;
	return 0;
}
static int rpc_msg_to_name_get(struct rpc_msg *m, char **v)
{
	if (m->to_name_set != 1)
		return -1;
	*v = m->to_name_data;
	return 0;
}
static int rpc_msg_count_assign(struct rpc_msg *m, const ev_uint32_t v)
{
	m->count_set = 1;
	m->count_data = v;
	return 0;
}
static int rpc_msg_count_get(struct rpc_msg *m, ev_uint32_t *v)
{
	if (m->count_set != 1)
		return -1;
	*v = m->count_data;
	return 0;
}
static int rpc_msg_big_assign(struct rpc_msg *m, const ev_uint64_t v)
{
	m->big_set = 1;
	m->big_data = v;
	return 0;
}
static int rpc_msg_big_get(struct rpc_msg *m, ev_uint64_t *v)
{
	if (m->big_set != 1)
		return -1;
	*v = m->big_data;
	return 0;
}
static int rpc_msg_values_assign(struct rpc_msg *m, int off, const ev_uint32_t v)
{
	if (!m->values_set || off < 0 || off >= m->values_length)
		return -1;
	m->values_data[off] = v;
	return 0;
}
static int rpc_msg_values_get(struct rpc_msg *m, int off, ev_uint32_t *v)
{
	if (!m->values_set || off < 0 || off >= m->values_length)
		return -1;
	*v = m->values_data[off];
	return 0;
}
static int rpc_msg_values_expand_to_hold_more(struct rpc_msg *m)
{
	int n = m->values_num_allocated ? m->values_num_allocated * 2 : 1;
	ev_uint32_t *p = realloc(m->values_data, (size_t)n * sizeof(*p));
	if (p == NULL)
		return -1;
	m->values_data = p;
	m->values_num_allocated = n;
	return 0;
}
static ev_uint32_t *rpc_msg_values_add(struct rpc_msg *m, const ev_uint32_t v)
{
	if (m->values_num_allocated == m->values_length &&
	    rpc_msg_values_expand_to_hold_more(m) == -1)
		return NULL;
	m->values_data[m->values_length] = v;
	m->values_set = 1;
	return &m->values_data[m->values_length++];
}

static struct rpc_msg_access_ rpc_msg_base__ = {
	rpc_msg_from_name_assign, rpc_msg_from_name_get,
	rpc_msg_to_name_assign, rpc_msg_to_name_get,
	rpc_msg_count_assign, rpc_msg_count_get,
	rpc_msg_big_assign, rpc_msg_big_get,
	rpc_msg_values_assign, rpc_msg_values_get, rpc_msg_values_add,
};

static struct rpc_msg *rpc_msg_new(void)
{
	struct rpc_msg *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->base = &rpc_msg_base__;
	return m;
}
static struct rpc_msg *rpc_msg_new_with_arg(void *unused)
{
	(void)unused;
	return rpc_msg_new();
}
static void rpc_msg_clear(struct rpc_msg *m)
{
	free(m->from_name_data);
	free(m->to_name_data);
	free(m->values_data);
	m->from_name_data = m->to_name_data = NULL;
	m->values_data = NULL;
	m->values_length = m->values_num_allocated = 0;
	m->from_name_set = m->to_name_set = m->count_set = m->big_set = m->values_set = 0;
}
static void rpc_msg_free(struct rpc_msg *m)
{
	rpc_msg_clear(m);
	free(m);
}
static void rpc_msg_marshal(struct evbuffer *evbuf, const struct rpc_msg *m)
{
	int i;
	evtag_marshal_string(evbuf, RPC_MSG_FROM_NAME, m->from_name_data);
	evtag_marshal_string(evbuf, RPC_MSG_TO_NAME, m->to_name_data);
	if (m->count_set)
		evtag_marshal_int(evbuf, RPC_MSG_COUNT, m->count_data);
	if (m->big_set)
		evtag_marshal_int64(evbuf, RPC_MSG_BIG, m->big_data);
	for (i = 0; m->values_set && i < m->values_length; i++)
		evtag_marshal_int(evbuf, RPC_MSG_VALUES, m->values_data[i]);
}
static int rpc_msg_complete(struct rpc_msg *m)
{
	return (m->from_name_set && m->to_name_set) ? 0 : -1;
}
static int rpc_msg_unmarshal(struct rpc_msg *m, struct evbuffer *evbuf)
{
	ev_uint32_t tag;
	while (evbuffer_get_length(evbuf) > 0) {
		if (evtag_peek(evbuf, &tag) == -1)
			return -1;
		switch (tag) {
		case RPC_MSG_FROM_NAME:
			if (m->from_name_set)
				return -1;
			if (evtag_unmarshal_string(evbuf, RPC_MSG_FROM_NAME, &m->from_name_data) == -1)
				return -1;
			m->from_name_set = 1;
			break;
		case RPC_MSG_TO_NAME:
			if (m->to_name_set)
				return -1;
			if (evtag_unmarshal_string(evbuf, RPC_MSG_TO_NAME, &m->to_name_data) == -1)
				return -1;
			m->to_name_set = 1;
			break;
		case RPC_MSG_COUNT:
			if (m->count_set)
				return -1;
			if (evtag_unmarshal_int(evbuf, RPC_MSG_COUNT, &m->count_data) == -1)
				return -1;
			m->count_set = 1;
			break;
		case RPC_MSG_BIG:
			if (m->big_set)
				return -1;
			if (evtag_unmarshal_int64(evbuf, RPC_MSG_BIG, &m->big_data) == -1)
				return -1;
			m->big_set = 1;
			break;
		case RPC_MSG_VALUES:
			if (m->values_length >= m->values_num_allocated &&
			    rpc_msg_values_expand_to_hold_more(m) < 0)
				return -1;
			if (evtag_unmarshal_int(evbuf, RPC_MSG_VALUES, &m->values_data[m->values_length]) == -1)
				return -1;
			++m->values_length;
			m->values_set = 1;
			break;
		default:
			return -1;
		}
	}
	return rpc_msg_complete(m);
}

/* A tagged rpc_msg inside another message (the generator's nested-struct
 * helpers). */
static void evtag_marshal_rpc_msg(struct evbuffer *evbuf, ev_uint32_t tag, const struct rpc_msg *msg)
{
	struct evbuffer *tmp = evbuffer_new();
	rpc_msg_marshal(tmp, msg);
	evtag_marshal_buffer(evbuf, tag, tmp);
	evbuffer_free(tmp);
}
static int evtag_unmarshal_rpc_msg(struct evbuffer *evbuf, ev_uint32_t need_tag, struct rpc_msg *msg)
{
	ev_uint32_t tag;
	int res = -1;
	struct evbuffer *tmp = evbuffer_new();
	if (evtag_unmarshal(evbuf, &tag, tmp) == -1 || tag != need_tag)
		goto error;
	if (rpc_msg_unmarshal(msg, tmp) == -1)
		goto error;
	res = 0;
error:
	evbuffer_free(tmp);
	return res;
}

/* ---- struct rpc_reply ---- */
enum rpc_reply_ { RPC_REPLY_TEXT = 1, RPC_REPLY_TOTAL = 2, RPC_REPLY_BLOB = 3, RPC_REPLY_ECHO = 4,
	RPC_REPLY_WHEN = 5, RPC_REPLY_MAX_TAGS };

struct rpc_reply;
struct rpc_reply_access_ {
	int (*text_assign)(struct rpc_reply *, const char *);
	int (*text_get)(struct rpc_reply *, char **);
	int (*total_assign)(struct rpc_reply *, const ev_uint32_t);
	int (*total_get)(struct rpc_reply *, ev_uint32_t *);
	int (*blob_assign)(struct rpc_reply *, const ev_uint8_t *, ev_uint32_t);
	int (*blob_get)(struct rpc_reply *, ev_uint8_t **, ev_uint32_t *);
	int (*echo_assign)(struct rpc_reply *, const struct rpc_msg *);
	int (*echo_get)(struct rpc_reply *, struct rpc_msg **);
	int (*when_assign)(struct rpc_reply *, const struct timeval *);
	int (*when_get)(struct rpc_reply *, struct timeval *);
};

struct rpc_reply {
	struct rpc_reply_access_ *base;
	char *text_data;
	ev_uint32_t total_data;
	ev_uint8_t *blob_data;
	ev_uint32_t blob_length;
	struct rpc_msg *echo_data;
	struct timeval when_data;
	ev_uint8_t text_set;
	ev_uint8_t total_set;
	ev_uint8_t blob_set;
	ev_uint8_t echo_set;
	ev_uint8_t when_set;
};

static int rpc_reply_text_assign(struct rpc_reply *m, const char *v)
{
	free(m->text_data);
	if ((m->text_data = strdup(v)) == NULL)
		return -1;
	m->text_set = 1;
	return 0;
}
static int rpc_reply_text_get(struct rpc_reply *m, char **v)
{
	if (m->text_set != 1)
		return -1;
	*v = m->text_data;
	return 0;
}
static int rpc_reply_total_assign(struct rpc_reply *m, const ev_uint32_t v)
{
	m->total_set = 1;
	m->total_data = v;
	return 0;
}
static int rpc_reply_total_get(struct rpc_reply *m, ev_uint32_t *v)
{
	if (m->total_set != 1)
		return -1;
	*v = m->total_data;
	return 0;
}
static int rpc_reply_blob_assign(struct rpc_reply *m, const ev_uint8_t *v, ev_uint32_t len)
{
	free(m->blob_data);
	m->blob_data = malloc(len ? len : 1);
	if (m->blob_data == NULL)
		return -1;
	memcpy(m->blob_data, v, len);
	m->blob_length = len;
	m->blob_set = 1;
	return 0;
}
static int rpc_reply_blob_get(struct rpc_reply *m, ev_uint8_t **v, ev_uint32_t *len)
{
	if (m->blob_set != 1)
		return -1;
	*v = m->blob_data;
	*len = m->blob_length;
	return 0;
}
/* Copies the message through its own encoding, as the generator does. */
static int rpc_reply_echo_assign(struct rpc_reply *m, const struct rpc_msg *v)
{
	struct evbuffer *tmp = evbuffer_new();
	if (m->echo_set) {
		rpc_msg_clear(m->echo_data);
		m->echo_set = 0;
	} else if ((m->echo_data = rpc_msg_new()) == NULL) {
		evbuffer_free(tmp);
		return -1;
	}
	rpc_msg_marshal(tmp, v);
	if (rpc_msg_unmarshal(m->echo_data, tmp) == -1) {
		evbuffer_free(tmp);
		return -1;
	}
	evbuffer_free(tmp);
	m->echo_set = 1;
	return 0;
}
static int rpc_reply_echo_get(struct rpc_reply *m, struct rpc_msg **v)
{
	if (m->echo_set != 1) {
		if ((m->echo_data = rpc_msg_new()) == NULL)
			return -1;
		m->echo_set = 1;
	}
	*v = m->echo_data;
	return 0;
}
static int rpc_reply_when_assign(struct rpc_reply *m, const struct timeval *v)
{
	m->when_set = 1;
	m->when_data = *v;
	return 0;
}
static int rpc_reply_when_get(struct rpc_reply *m, struct timeval *v)
{
	if (m->when_set != 1)
		return -1;
	*v = m->when_data;
	return 0;
}
static struct rpc_reply_access_ rpc_reply_base__ = {
	rpc_reply_text_assign, rpc_reply_text_get,
	rpc_reply_total_assign, rpc_reply_total_get,
	rpc_reply_blob_assign, rpc_reply_blob_get,
	rpc_reply_echo_assign, rpc_reply_echo_get,
	rpc_reply_when_assign, rpc_reply_when_get,
};
static struct rpc_reply *rpc_reply_new(void)
{
	struct rpc_reply *m = calloc(1, sizeof(*m));
	if (m == NULL)
		return NULL;
	m->base = &rpc_reply_base__;
	return m;
}
static struct rpc_reply *rpc_reply_new_with_arg(void *unused)
{
	(void)unused;
	return rpc_reply_new();
}
static void rpc_reply_clear(struct rpc_reply *m)
{
	free(m->text_data);
	free(m->blob_data);
	m->text_data = NULL;
	m->blob_data = NULL;
	m->blob_length = 0;
	if (m->echo_data)
		rpc_msg_free(m->echo_data);
	m->echo_data = NULL;
	m->text_set = m->total_set = m->blob_set = m->echo_set = m->when_set = 0;
}
static void rpc_reply_free(struct rpc_reply *m)
{
	rpc_reply_clear(m);
	free(m);
}
static void rpc_reply_marshal(struct evbuffer *evbuf, const struct rpc_reply *m)
{
	evtag_marshal_string(evbuf, RPC_REPLY_TEXT, m->text_data);
	evtag_marshal_int(evbuf, RPC_REPLY_TOTAL, m->total_data);
	if (m->blob_set)
		evtag_marshal(evbuf, RPC_REPLY_BLOB, m->blob_data, m->blob_length);
	if (m->echo_set)
		evtag_marshal_rpc_msg(evbuf, RPC_REPLY_ECHO, m->echo_data);
	if (m->when_set)
		evtag_marshal_timeval(evbuf, RPC_REPLY_WHEN, (struct timeval *)&m->when_data);
}
static int rpc_reply_complete(struct rpc_reply *m)
{
	return (m->text_set && m->total_set) ? 0 : -1;
}
static int rpc_reply_unmarshal(struct rpc_reply *m, struct evbuffer *evbuf)
{
	ev_uint32_t tag;
	while (evbuffer_get_length(evbuf) > 0) {
		if (evtag_peek(evbuf, &tag) == -1)
			return -1;
		switch (tag) {
		case RPC_REPLY_TEXT:
			if (m->text_set)
				return -1;
			if (evtag_unmarshal_string(evbuf, RPC_REPLY_TEXT, &m->text_data) == -1)
				return -1;
			m->text_set = 1;
			break;
		case RPC_REPLY_TOTAL:
			if (m->total_set)
				return -1;
			if (evtag_unmarshal_int(evbuf, RPC_REPLY_TOTAL, &m->total_data) == -1)
				return -1;
			m->total_set = 1;
			break;
		case RPC_REPLY_BLOB:
			if (m->blob_set)
				return -1;
			if (evtag_payload_length(evbuf, &m->blob_length) == -1)
				return -1;
			if (m->blob_length > evbuffer_get_length(evbuf))
				return -1;
			if ((m->blob_data = malloc(m->blob_length ? m->blob_length : 1)) == NULL)
				return -1;
			if (evtag_unmarshal_fixed(evbuf, RPC_REPLY_BLOB, m->blob_data, m->blob_length) == -1)
				return -1;
			m->blob_set = 1;
			break;
		case RPC_REPLY_ECHO:
			if (m->echo_set)
				return -1;
			if ((m->echo_data = rpc_msg_new()) == NULL)
				return -1;
			if (evtag_unmarshal_rpc_msg(evbuf, RPC_REPLY_ECHO, m->echo_data) == -1)
				return -1;
			m->echo_set = 1;
			break;
		case RPC_REPLY_WHEN:
			if (m->when_set)
				return -1;
			if (evtag_unmarshal_timeval(evbuf, RPC_REPLY_WHEN, &m->when_data) == -1)
				return -1;
			m->when_set = 1;
			break;
		default:
			return -1;
		}
	}
	return rpc_reply_complete(m);
}

/* ---- the RPC ---- */
EVRPC_HEADER(Message, rpc_msg, rpc_reply)
EVRPC_GENERATE(Message, rpc_msg, rpc_reply)

/* ---- helpers ---- */
static const char *status_name(int e)
{
	switch (e) {
	case EVRPC_STATUS_ERR_NONE: return "none";
	case EVRPC_STATUS_ERR_TIMEOUT: return "timeout";
	case EVRPC_STATUS_ERR_BADPAYLOAD: return "badpayload";
	case EVRPC_STATUS_ERR_UNSTARTED: return "unstarted";
	case EVRPC_STATUS_ERR_HOOKABORTED: return "hookaborted";
	}
	return "?";
}

/* An HTTP server on 127.0.0.1, port chosen by the kernel. */
static struct evhttp *http_server(struct event_base *base, ev_uint16_t *port)
{
	struct evhttp *http = evhttp_new(base);
	struct evhttp_bound_socket *sock = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	if (sock == NULL) {
		printf("bind failed\n");
		exit(1);
	}
	getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return http;
}

/* A request message with some fields. */
static struct rpc_msg *make_msg(const char *from, const char *to, int nvalues)
{
	struct rpc_msg *m = rpc_msg_new();
	int i;
	EVTAG_ASSIGN(m, from_name, from);
	EVTAG_ASSIGN(m, to_name, to);
	for (i = 0; i < nvalues; i++)
		EVTAG_ARRAY_ADD_VALUE(m, values, (ev_uint32_t)(i * 1000 + 7));
	return m;
}

/* The sum of a message's values. */
static ev_uint32_t msg_sum(struct rpc_msg *m)
{
	ev_uint32_t s = 0, v;
	int i;
	for (i = 0; i < EVTAG_ARRAY_LEN(m, values); i++) {
		EVTAG_ARRAY_GET(m, values, i, &v);
		s += v;
	}
	return s;
}
#endif
