/*
 * event2/dns.h -- asynchronous DNS resolver and a small DNS server (evdns).
 *
 * Declarations for libevent 2.1.12 source compatibility.  swift-libevent
 * provides the evdns implementation separately; any function it does not
 * implement is reported by the linker, never silently stubbed.
 */
#ifndef EVENT2_DNS_H_INCLUDED_
#define EVENT2_DNS_H_INCLUDED_

#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ev_uint16_t, ev_socklen_t, evutil_socket_t, struct evutil_addrinfo */
#include <event2/util.h>

/* Result codes passed to resolver callbacks. */
#define DNS_ERR_NONE 0          /* success */
#define DNS_ERR_FORMAT 1        /* server could not parse the query */
#define DNS_ERR_SERVERFAILED 2  /* server-side failure */
#define DNS_ERR_NOTEXIST 3      /* the name does not exist */
#define DNS_ERR_NOTIMPL 4       /* query kind not supported by the server */
#define DNS_ERR_REFUSED 5       /* server declined to answer */
#define DNS_ERR_TRUNCATED 65    /* reply was cut short */
#define DNS_ERR_UNKNOWN 66      /* some other error */
#define DNS_ERR_TIMEOUT 67      /* no answer in time */
#define DNS_ERR_SHUTDOWN 68     /* the evdns_base went away */
#define DNS_ERR_CANCEL 69       /* the request was cancelled */
#define DNS_ERR_NODATA 70       /* the name exists but has no such record */

/* Kinds of answer given to an evdns_callback_type. */
#define DNS_IPv4_A 1
#define DNS_PTR 2
#define DNS_IPv6_AAAA 3

/* Request flag: do not apply the search domains. */
#define DNS_QUERY_NO_SEARCH 1

/* Which parts of resolv.conf evdns_base_resolv_conf_parse() applies. */
#define DNS_OPTION_SEARCH 1
#define DNS_OPTION_NAMESERVERS 2
#define DNS_OPTION_MISC 4
#define DNS_OPTION_HOSTSFILE 8
#define DNS_OPTIONS_ALL (           \
    DNS_OPTION_SEARCH |             \
    DNS_OPTION_NAMESERVERS |        \
    DNS_OPTION_MISC |               \
    DNS_OPTION_HOSTSFILE |          \
    0                               \
)

/* Do not fall back to a default name server when none is configured. */
#define DNS_OPTION_NAMESERVERS_NO_DEFAULT 16

/* Old name of DNS_QUERY_NO_SEARCH. */
#define DNS_NO_SEARCH DNS_QUERY_NO_SEARCH

/* Resolver callback: result is a DNS_ERR_* code, type a DNS_* answer kind;
 * addresses points to count entries (or a hostname for DNS_PTR). */
typedef void (*evdns_callback_type) (int result, char type, int count, int ttl, void *addresses, void *arg);

struct evdns_base;
struct event_base;

/* Flags for evdns_base_new(). */
/* Read the system resolver configuration. */
#define EVDNS_BASE_INITIALIZE_NAMESERVERS 1
/* Do not keep the loop alive while no request is outstanding. */
#define EVDNS_BASE_DISABLE_WHEN_INACTIVE 0x8000
/* Do not add 127.0.0.1 when no name server was configured. */
#define EVDNS_BASE_NAMESERVERS_NO_DEFAULT 0x10000

/* A resolver bound to event_base; the second argument is EVDNS_BASE_* flags. */
EVENT2_EXPORT_SYMBOL
struct evdns_base * evdns_base_new(struct event_base *event_base, int initialize_nameservers);

/* Free the resolver, failing outstanding requests if fail_requests != 0. */
EVENT2_EXPORT_SYMBOL
void evdns_base_free(struct evdns_base *base, int fail_requests);

/* Forget addresses loaded from hosts files. */
EVENT2_EXPORT_SYMBOL
void evdns_base_clear_host_addresses(struct evdns_base *base);

/* Text for a DNS_ERR_* code. */
EVENT2_EXPORT_SYMBOL
const char *evdns_err_to_string(int err);

/* Add an IPv4 name server (network byte order). */
EVENT2_EXPORT_SYMBOL
int evdns_base_nameserver_add(struct evdns_base *base,
    unsigned long int address);

EVENT2_EXPORT_SYMBOL
int evdns_base_count_nameservers(struct evdns_base *base);

/* Drop all name servers and hold new requests until evdns_base_resume(). */
EVENT2_EXPORT_SYMBOL
int evdns_base_clear_nameservers_and_suspend(struct evdns_base *base);

EVENT2_EXPORT_SYMBOL
int evdns_base_resume(struct evdns_base *base);

/* Add a name server given as "addr" or "addr:port" text. */
EVENT2_EXPORT_SYMBOL
int evdns_base_nameserver_ip_add(struct evdns_base *base,
    const char *ip_as_string);

/* Add a name server by socket address. */
EVENT2_EXPORT_SYMBOL
int
evdns_base_nameserver_sockaddr_add(struct evdns_base *base,
    const struct sockaddr *sa, ev_socklen_t len, unsigned flags);

struct evdns_request;

/* Start an A lookup; NULL on failure. */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_ipv4(struct evdns_base *base, const char *name, int flags, evdns_callback_type callback, void *ptr);

/* Start an AAAA lookup. */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_ipv6(struct evdns_base *base, const char *name, int flags, evdns_callback_type callback, void *ptr);

struct in_addr;
struct in6_addr;

/* Start a PTR lookup for an IPv4 address. */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_reverse(struct evdns_base *base, const struct in_addr *in, int flags, evdns_callback_type callback, void *ptr);

/* Start a PTR lookup for an IPv6 address. */
EVENT2_EXPORT_SYMBOL
struct evdns_request *evdns_base_resolve_reverse_ipv6(struct evdns_base *base, const struct in6_addr *in, int flags, evdns_callback_type callback, void *ptr);

/* Cancel a request; its callback runs with DNS_ERR_CANCEL. */
EVENT2_EXPORT_SYMBOL
void evdns_cancel_request(struct evdns_base *base, struct evdns_request *req);

/* Set a resolv.conf-style option such as "ndots:" or "timeout:". */
EVENT2_EXPORT_SYMBOL
int evdns_base_set_option(struct evdns_base *base, const char *option, const char *val);

/* Load a resolv.conf file; flags are DNS_OPTION_* bits.  0 on success. */
EVENT2_EXPORT_SYMBOL
int evdns_base_resolv_conf_parse(struct evdns_base *base, int flags, const char *const filename);

/* Load a hosts file (NULL: the system default). */
EVENT2_EXPORT_SYMBOL
int evdns_base_load_hosts(struct evdns_base *base, const char *hosts_fname);

#if defined(EVENT_IN_DOXYGEN_) || defined(_WIN32)
/* Windows: take name servers from the registry. */
EVENT2_EXPORT_SYMBOL
int evdns_base_config_windows_nameservers(struct evdns_base *);
#define EVDNS_BASE_CONFIG_WINDOWS_NAMESERVERS_IMPLEMENTED
#endif

/* Manage the search-domain list. */
EVENT2_EXPORT_SYMBOL
void evdns_base_search_clear(struct evdns_base *base);

EVENT2_EXPORT_SYMBOL
void evdns_base_search_add(struct evdns_base *base, const char *domain);

/* Names with fewer dots than ndots are tried with search domains first. */
EVENT2_EXPORT_SYMBOL
void evdns_base_search_ndots_set(struct evdns_base *base, const int ndots);

/* Receives evdns's own diagnostics. */
typedef void (*evdns_debug_log_fn_type)(int is_warning, const char *msg);

EVENT2_EXPORT_SYMBOL
void evdns_set_log_fn(evdns_debug_log_fn_type fn);

/* Obsolete hooks for choosing transaction ids; ignored. */
EVENT2_EXPORT_SYMBOL
void evdns_set_transaction_id_fn(ev_uint16_t (*fn)(void));

EVENT2_EXPORT_SYMBOL
void evdns_set_random_bytes_fn(void (*fn)(char *, size_t));

/* ---- Server side -------------------------------------------------------- */

struct evdns_server_request;
struct evdns_server_question;

/* Called for each incoming query. */
typedef void (*evdns_request_callback_fn_type)(struct evdns_server_request *, void *);

/* Reply sections. */
#define EVDNS_ANSWER_SECTION 0
#define EVDNS_AUTHORITY_SECTION 1
#define EVDNS_ADDITIONAL_SECTION 2

/* Record types. */
#define EVDNS_TYPE_A	   1
#define EVDNS_TYPE_NS	   2
#define EVDNS_TYPE_CNAME   5
#define EVDNS_TYPE_SOA	   6
#define EVDNS_TYPE_PTR	  12
#define EVDNS_TYPE_MX	  15
#define EVDNS_TYPE_TXT	  16
#define EVDNS_TYPE_AAAA	  28

/* Query-only types. */
#define EVDNS_QTYPE_AXFR 252
#define EVDNS_QTYPE_ALL	 255

/* The Internet class. */
#define EVDNS_CLASS_INET   1

/* Header flags for evdns_server_request_set_flags(). */
#define EVDNS_FLAGS_AA	0x400   /* authoritative answer */
#define EVDNS_FLAGS_RD	0x080   /* recursion desired */

/* Serve DNS on a bound UDP socket. */
EVENT2_EXPORT_SYMBOL
struct evdns_server_port *evdns_add_server_port_with_base(struct event_base *base, evutil_socket_t socket, int flags, evdns_request_callback_fn_type callback, void *user_data);

EVENT2_EXPORT_SYMBOL
void evdns_close_server_port(struct evdns_server_port *port);

EVENT2_EXPORT_SYMBOL
void evdns_server_request_set_flags(struct evdns_server_request *req, int flags);

/* Append a raw record to a pending reply. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_reply(struct evdns_server_request *req, int section, const char *name, int type, int dns_class, int ttl, int datalen, int is_name, const char *data);

/* Append n A records (4 bytes each in addrs). */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_a_reply(struct evdns_server_request *req, const char *name, int n, const void *addrs, int ttl);

/* Append n AAAA records (16 bytes each in addrs). */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_aaaa_reply(struct evdns_server_request *req, const char *name, int n, const void *addrs, int ttl);

/* Append a PTR record, for in or for the name inaddr_name. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_ptr_reply(struct evdns_server_request *req, struct in_addr *in, const char *inaddr_name, const char *hostname, int ttl);

/* Append a CNAME record. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_add_cname_reply(struct evdns_server_request *req, const char *name, const char *cname, int ttl);

/* Send the reply with the given DNS_ERR_* code and free the request. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_respond(struct evdns_server_request *req, int err);

/* Free the request without answering. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_drop(struct evdns_server_request *req);

struct sockaddr;

/* Copy the client's address into sa; returns its length or -1. */
EVENT2_EXPORT_SYMBOL
int evdns_server_request_get_requesting_addr(struct evdns_server_request *req, struct sockaddr *sa, int addr_len);

/* ---- getaddrinfo-style lookups ----------------------------------------- */

/* result is 0 or an EVUTIL_EAI_* code; free res with evutil_freeaddrinfo. */
typedef void (*evdns_getaddrinfo_cb)(int result, struct evutil_addrinfo *res, void *arg);

struct evdns_base;
struct evdns_getaddrinfo_request;

/* Asynchronous getaddrinfo.  May call cb before returning (then returns
 * NULL); otherwise returns a handle that can be cancelled. */
EVENT2_EXPORT_SYMBOL
struct evdns_getaddrinfo_request *evdns_getaddrinfo(
    struct evdns_base *dns_base,
    const char *nodename, const char *servname,
    const struct evutil_addrinfo *hints_in,
    evdns_getaddrinfo_cb cb, void *arg);

/* Cancel; the callback runs with EVUTIL_EAI_CANCEL. */
EVENT2_EXPORT_SYMBOL
void evdns_getaddrinfo_cancel(struct evdns_getaddrinfo_request *req);

/* Copy the address of name server number idx; returns its length or -1. */
EVENT2_EXPORT_SYMBOL
int evdns_base_get_nameserver_addr(struct evdns_base *base, int idx,
    struct sockaddr *sa, ev_socklen_t len);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
