/*
 * event2/rpc_compat.h -- variadic EVTAG_* accessors of libevent 1.x.
 * They rely on the GNU named-variadic-macro extension, so they are only
 * provided for GCC-compatible compilers outside strict ANSI mode.
 */
#ifndef EVENT2_RPC_COMPAT_H_INCLUDED_
#define EVENT2_RPC_COMPAT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(__STRICT_ANSI__)
#undef EVTAG_ASSIGN
#undef EVTAG_GET
#undef EVTAG_ADD

/* Pass any number of extra arguments to the generated accessor. */
#define EVTAG_ASSIGN(msg, member, args...) \
	(*(msg)->base->member##_assign)(msg, ## args)
#define EVTAG_GET(msg, member, args...) \
	(*(msg)->base->member##_get)(msg, ## args)
#define EVTAG_ADD(msg, member, args...) \
	(*(msg)->base->member##_add)(msg, ## args)
#endif

/* Number of elements in an array member. */
#define EVTAG_LEN(msg, member) ((msg)->member##_length)

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
