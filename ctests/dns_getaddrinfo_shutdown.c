/* Covers: evdns_getaddrinfo requests still waiting when evdns_base_free(dns, 1)
 * fails them: each callback runs once, from the loop, with EVUTIL_EAI_FAIL,
 * after the evdns base (and its lock) is gone; with lock debugging on, so
 * a touch of the freed lock would be fatal (libevent's regress
 * dns/client_fail_requests_getaddrinfo).
 */
#include <event2/event.h>
#include <event2/dns.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int calls, fails;

static void cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	(void)arg;
	++calls;
	if (err == EVUTIL_EAI_FAIL) ++fails;
	else printf("unexpected result %d\n", err);
	if (ai) evutil_freeaddrinfo(ai);
}

int main(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int silent = socket(AF_INET, SOCK_DGRAM, 0);   /* a nameserver that never answers */
	struct event_base *base;
	struct evdns_base *dns;
	char ns[64];
	int i, made = 0;

	evthread_enable_lock_debugging();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(silent, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(silent, (struct sockaddr *)&sin, &len);
	snprintf(ns, sizeof(ns), "127.0.0.1:%d", ntohs(sin.sin_port));

	base = event_base_new();
	dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	printf("nameserver added: %d\n", evdns_base_nameserver_ip_add(dns, ns));
	for (i = 0; i < 20; ++i)
		if (evdns_getaddrinfo(dns, "foof.example.com", "80", NULL, cb, NULL))
			++made;
	printf("pending requests: %d, callbacks so far: %d\n", made, calls);
	evdns_base_free(dns, 1);
	printf("after evdns_base_free: callbacks %d\n", calls);
	event_base_dispatch(base);
	printf("after the loop: callbacks %d, EAI_FAIL %d\n", calls, fails);
	event_base_free(base);
	close(silent);
	libevent_global_shutdown();
	return 0;
}
