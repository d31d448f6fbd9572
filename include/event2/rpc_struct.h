/*
 * event2/rpc_struct.h -- evrpc structures visible to applications, laid out
 * as in libevent 2.1.12.
 */
#ifndef EVENT2_RPC_STRUCT_H_INCLUDED_
#define EVENT2_RPC_STRUCT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

/* Queue link shape, declared here only if <sys/queue.h> did not. */
#ifndef TAILQ_ENTRY
#define EVENT_DEFINED_TQENTRY_
#define TAILQ_ENTRY(type)						\
struct {								\
	struct type *tqe_next;						\
	struct type **tqe_prev;						\
}
#endif

/* Outcome of an RPC as reported to the client callback. */
struct evrpc_status {
#define EVRPC_STATUS_ERR_NONE		0
#define EVRPC_STATUS_ERR_TIMEOUT	1
#define EVRPC_STATUS_ERR_BADPAYLOAD	2
#define EVRPC_STATUS_ERR_UNSTARTED	3
#define EVRPC_STATUS_ERR_HOOKABORTED	4
	int error;                       /* EVRPC_STATUS_ERR_* */

	/* the HTTP request, for inspecting reply headers */
	struct evhttp_request *http_req;
};

/* A registered RPC: its URI and the functions that handle its messages. */
struct evrpc {
	TAILQ_ENTRY(evrpc) next;

	/* path the RPC is served at */
	const char* uri;

	/* allocate, free and decode the request */
	void *(*request_new)(void *);
	void *request_new_arg;
	void (*request_free)(void *);
	int (*request_unmarshal)(void *, struct evbuffer *);

	/* allocate, free, check and encode the reply */
	void *(*reply_new)(void *);
	void *reply_new_arg;
	void (*reply_free)(void *);
	int (*reply_complete)(void *);
	void (*reply_marshal)(struct evbuffer*, void *);

	/* the server callback and its argument */
	void (*cb)(struct evrpc_req_generic *, void *);
	void *cb_arg;

	/* the RPC server it is registered with */
	struct evrpc_base *base;
};

#ifdef EVENT_DEFINED_TQENTRY_
#undef TAILQ_ENTRY
#endif

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
