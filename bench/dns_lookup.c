/* evdns look-ups per second: -n lookups of distinct names against
 * bench/dns_responder.c on 127.0.0.1:-p, -k of them in flight at a time
 * (each callback starts the next). Prints lookups/s; bench/dns_run.sh runs
 * it on libevent and ours, and under callgrind for instructions per lookup. */
#include <event2/event.h>
#include <event2/dns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct event_base *base;
static struct evdns_base *dns;
static int total = 20000, inflight = 16, started, finished, failed;

static void start(void);

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	if (result != DNS_ERR_NONE || count != 1) failed++;
	if (++finished == total) event_base_loopexit(base, NULL);
	else if (started < total) start();
}

static void start(void)
{
	char name[64];
	snprintf(name, sizeof(name), "host%d.bench.example", started++);
	if (!evdns_base_resolve_ipv4(dns, name, DNS_QUERY_NO_SEARCH, cb, NULL)) { failed++; finished++; }
}

int main(int argc, char **argv)
{
	int c, port = 0, i;
	char addr[64];
	struct timespec t0, t1;
	double secs;
	while ((c = getopt(argc, argv, "n:k:p:")) != -1) {
		if (c == 'n') total = atoi(optarg);
		else if (c == 'k') inflight = atoi(optarg);
		else if (c == 'p') port = atoi(optarg);
	}
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	evdns_base_nameserver_ip_add(dns, addr);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < inflight && started < total; ++i) start();
	event_base_dispatch(base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("lookups=%d failed=%d seconds=%.3f per_second=%.0f\n", finished, failed, secs, finished / secs);
	evdns_base_free(dns, 0);
	event_base_free(base);
	return failed != 0;
}
