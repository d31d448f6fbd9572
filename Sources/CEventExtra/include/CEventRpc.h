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

/* TEMPORARY, until the HTTP code is merged: evrpc's references to evhttp
 * are weak so that the library and the unit tests link without it (an
 * evrpc call needs evhttp objects, which cannot exist then). Harmless once
 * evhttp is in the same link; remove with the merge. */
#pragma weak evhttp_set_cb
#pragma weak evhttp_del_cb
#pragma weak evhttp_send_error
#pragma weak evhttp_send_reply
#pragma weak evhttp_request_get_command
#pragma weak evhttp_request_get_input_buffer
#pragma weak evhttp_request_get_output_buffer
#pragma weak evhttp_request_get_connection
#pragma weak evhttp_request_get_output_headers
#pragma weak evhttp_find_header
#pragma weak evhttp_add_header
#pragma weak evhttp_request_new
#pragma weak evhttp_make_request
#pragma weak evhttp_request_own
#pragma weak evhttp_request_is_owned
#pragma weak evhttp_request_free
#pragma weak evhttp_connection_free
#pragma weak evhttp_connection_set_base
#pragma weak evhttp_connection_set_timeout
#pragma weak evhttp_new
#pragma weak evhttp_free
#endif
