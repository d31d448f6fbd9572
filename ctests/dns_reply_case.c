/* Covers: evdns_base_resolve_ipv4 when the nameserver's reply carries the
 * question name in another case than the query (servers and forwarders that
 * lowercase or uppercase names), with randomize-case on (the default) and off
 * (evdns_base_set_option "randomize-case:"). Found by libevent's regress
 * dns/search_lower: with randomize-case on the name is compared ignoring
 * case, with it off byte for byte (a mismatch is ignored: the lookup times
 * out).
 * ctest-libs: -lpthread
 * ctest-timeout: 20
 */
#include <event2/event.h>
#include <event2/dns.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <ctype.h>

enum { ECHO, LOWER, UPPER };
static volatile int server_mode = ECHO;
static int server_fd = -1;

/* Answers every A query with 10.1.2.3, its question name recased. */
static void *server(void *arg)
{
	unsigned char q[512], out[600];
	(void)arg;
	for (;;) {
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(server_fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		size_t i, end;
		if (n <= 12) break;            /* the 1-byte packet at the end stops us */
		for (end = 12; end < (size_t)n && q[end]; end += q[end] + 1) {
			size_t k;
			for (k = end + 1; k <= end + q[end] && k < (size_t)n; ++k) {
				if (server_mode == LOWER) q[k] = (unsigned char)tolower(q[k]);
				if (server_mode == UPPER) q[k] = (unsigned char)toupper(q[k]);
			}
		}
		end += 5;                      /* root label, type, class */
		if (end > (size_t)n) continue;
		memcpy(out, q, end);
		out[2] = 0x81; out[3] = 0x80;  /* response, RD, RA, NOERROR */
		out[6] = 0; out[7] = 1;        /* one answer */
		out[8] = out[9] = out[10] = out[11] = 0;
		i = end;
		out[i++] = 0xc0; out[i++] = 12; /* the question's name */
		out[i++] = 0; out[i++] = 1; out[i++] = 0; out[i++] = 1;
		out[i++] = 0; out[i++] = 0; out[i++] = 0; out[i++] = 60;
		out[i++] = 0; out[i++] = 4;
		out[i++] = 10; out[i++] = 1; out[i++] = 2; out[i++] = 3;
		sendto(server_fd, out, i, 0, (struct sockaddr *)&from, flen);
	}
	return NULL;
}

static struct event_base *current_base;

static void resolved(int result, char type, int count, int ttl, void *addrs, void *arg)
{
	char buf[32] = "-";
	if (result == DNS_ERR_NONE && count > 0)
		inet_ntop(AF_INET, addrs, buf, sizeof(buf));
	printf("  %s: result=%d (%s) type=%d count=%d ttl=%d addr=%s\n", (const char *)arg,
	    result, evdns_err_to_string(result), type, count, result == DNS_ERR_NONE ? ttl : -1, buf);
	event_base_loopexit(current_base, NULL);  /* the nameserver's socket keeps the loop alive */
}

int main(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	pthread_t th;
	char ns[64];
	static const char *modes[] = { "echo", "lower", "upper" };
	int randomize, mode;

	server_fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(server_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(server_fd, (struct sockaddr *)&sin, &len) < 0)
		return 1;
	snprintf(ns, sizeof(ns), "127.0.0.1:%d", ntohs(sin.sin_port));
	pthread_create(&th, NULL, server, NULL);

	for (randomize = 1; randomize >= 0; --randomize) {
		for (mode = ECHO; mode <= UPPER; ++mode) {
			struct event_base *base = event_base_new();
			struct evdns_base *dns = evdns_base_new(base, 0);
			current_base = base;
			server_mode = mode;
			evdns_base_nameserver_ip_add(dns, ns);
			evdns_base_set_option(dns, "timeout:", "0.3");
			evdns_base_set_option(dns, "attempts:", "1");
			evdns_base_set_option(dns, "randomize-case:", randomize ? "1" : "0");
			printf("randomize-case %d, server %s\n", randomize, modes[mode]);
			evdns_base_resolve_ipv4(dns, "MiXeD.CaSe.Example", DNS_QUERY_NO_SEARCH,
			    resolved, (void *)"MiXeD.CaSe.Example");
			event_base_dispatch(base);
			evdns_base_free(dns, 0);
			event_base_free(base);
		}
	}

	{
		/* stop the server thread */
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		sendto(fd, "x", 1, 0, (struct sockaddr *)&sin, sizeof(sin));
		close(fd);
		pthread_join(th, NULL);
		close(server_fd);
	}
	libevent_global_shutdown();
	return 0;
}
