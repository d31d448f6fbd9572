/* Covers: evdns with evthread_use_pthreads: a dns base made after the lock
 * callbacks, its loop in one thread while two others start lookups
 * (evdns_base_resolve_ipv4, evdns_getaddrinfo); counts of each outcome.
 * (Cancelling from another thread is left out: libevent 2.1.12 asserts in
 * request_finished there.)
 * ctest-libs: -levent_pthreads
 * ctest-timeout: 30
 */
#include "dns_common.h"
#include <event2/thread.h>

#define PER_THREAD 40

static struct event_base *base;
static struct evdns_base *dns;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int ok, nx, other, gai_ok, finished;

static void count(int *what)
{
	pthread_mutex_lock(&mu);
	(*what)++;
	if (++finished == 2 * PER_THREAD * 3)
		event_base_loopexit(base, NULL);
	pthread_mutex_unlock(&mu);
}

static void cb(int result, char type, int count_, int ttl, void *addresses, void *arg)
{
	count(result == DNS_ERR_NONE && count_ == 2 ? &ok : result == DNS_ERR_NOTEXIST ? &nx : &other);
}

static void gai_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	count(err == 0 && ai ? &gai_ok : &other);
	if (ai) evutil_freeaddrinfo(ai);
}

static void *worker(void *arg)
{
	int i;
	struct evutil_addrinfo hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_STREAM;
	for (i = 0; i < PER_THREAD; ++i) {
		evdns_base_resolve_ipv4(dns, "a.test", 0, cb, NULL);
		evdns_base_resolve_ipv4(dns, "nx.test", DNS_QUERY_NO_SEARCH, cb, NULL);
		evdns_getaddrinfo(dns, "a.test", "80", &hints, gai_cb, NULL);
	}
	return NULL;
}

static void *loop(void *arg)
{
	event_base_dispatch(base);
	return NULL;
}

int main(void)
{
	struct dns_server srv;
	pthread_t t[3];
	struct timeval cap = {20, 0};

	evthread_use_pthreads();
	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	evdns_base_set_option(dns, "timeout:", "5");
	event_base_loopexit(base, &cap);
	pthread_create(&t[0], NULL, loop, NULL);
	pthread_create(&t[1], NULL, worker, NULL);
	pthread_create(&t[2], NULL, worker, NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[2], NULL);
	pthread_join(t[0], NULL);
	printf("ok=%d getaddrinfo_ok=%d nx=%d other=%d\n", ok, gai_ok, nx, other);
	evdns_base_free(dns, 0);
	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
