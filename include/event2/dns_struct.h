/*
 * event2/dns_struct.h -- the visible part of an incoming DNS server request,
 * laid out as in libevent 2.1.12.
 */
#ifndef EVENT2_DNS_STRUCT_H_INCLUDED_
#define EVENT2_DNS_STRUCT_H_INCLUDED_

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

#include <event2/util.h>

/* A query received by an evdns server port. */
struct evdns_server_request {
	int flags;          /* header flags of the query */
	int nquestions;
	struct evdns_server_question **questions;
};

/* One question of a query. */
struct evdns_server_question {
	int type;           /* EVDNS_TYPE_* / EVDNS_QTYPE_* */
#ifdef __cplusplus
	int dns_question_class;
#else
	/* 'class' is a C++ keyword, so C++ sees the other spelling; C code
	 * may use either name. */
	int class;
#define dns_question_class class
#endif
	char name[1];       /* NUL-terminated name, allocated past the end */
};

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
