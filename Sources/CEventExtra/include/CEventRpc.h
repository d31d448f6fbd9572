/*
 * The evrpc state blocks the library hands to C. Their first field is the
 * hook meta-data pointer in both, since evrpc_hook_add_meta / find_meta /
 * get_connection take either one as `void *ctx`.
 */
#ifndef CEVENTRPC_H
#define CEVENTRPC_H

#include <event2/event_struct.h>
#include <event2/http.h>
#include <event2/http_compat.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>

/* Server side: the layout EVRPC_STRUCT(rpcname) of rpc.h gives programs
 * (they read request, reply and http_req directly). */
struct evrpc_req_generic {
	struct evrpc_hook_meta *hook_meta;
	void *request;
	void *reply;
	struct evrpc *rpc;
	struct evhttp_request *http_req;
	struct evbuffer *rpc_data;
};

/* Client side: one outgoing RPC (opaque to programs). */
struct evrpc_request_wrapper {
	struct evrpc_hook_meta *hook_meta;
	struct evrpc_pool *pool;
	struct evhttp_connection *evcon;
	struct evhttp_request *req;
	char *name;
	void (*cb)(struct evrpc_status *, void *request, void *reply, void *arg);
	void *cb_arg;
	void *request;
	void *reply;
	void (*request_marshal)(struct evbuffer *, void *);
	void (*reply_clear)(void *);
	int (*reply_unmarshal)(void *, struct evbuffer *);
	/* ev_timeout was assigned (by evrpc_make_request) */
	int timeout_assigned;
	struct event ev_timeout;
};

#endif
