/* ctest-backends: epoll poll */
/* Covers: EV_CLOSED on backends advertising EV_FEATURE_EARLY_CLOSE (epoll
 * and poll): an EV_CLOSED-only event fires with res EV_CLOSED when the peer
 * shuts down its write side or closes, and (persistent) keeps firing while
 * the condition holds; EV_CLOSED|EV_READ reports both bits even with unread
 * data; EV_CLOSED|EV_READ with data but no close reports EV_READ only;
 * EV_CLOSED|EV_WRITE on full peer close; a plain EV_READ event sees EOF as
 * EV_READ; separate EV_CLOSED and EV_READ events on one fd each get their
 * own bits; an EV_CLOSED event with a timeout and no close times out;
 * event_pending reports EV_CLOSED.  See event_closed_select.c for select.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT | EV_CLOSED)

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

enum { PEER_NOTHING, PEER_SHUT_WR, PEER_CLOSE };

static void scenario(struct event_base *base, const char *title, short f1, const char *n1,
    short f2, const char *n2, int data, int peer)
{
	int sv[2];
	struct timeval tv = { 0, 100000 };
	printf("[%s]\n", title);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return;
	struct event *e1 = event_new(base, sv[0], f1 | EV_PERSIST, cb, (void *)n1);
	struct event *e2 = f2 ? event_new(base, sv[0], f2 | EV_PERSIST, cb, (void *)n2) : NULL;
	int r = event_add(e1, &tv);
	printf(" add %s: %d pending(ALL)=0x%x\n", n1, r, event_pending(e1, ALLF, NULL));
	if (e2) {
		r = event_add(e2, &tv);
		printf(" add %s: %d pending(ALL)=0x%x\n", n2, r, event_pending(e2, ALLF, NULL));
	}
	if (data && write(sv[1], "abc", 3) != 3) printf("write failed\n");
	if (peer == PEER_SHUT_WR) shutdown(sv[1], SHUT_WR);
	if (peer == PEER_CLOSE) { close(sv[1]); sv[1] = -1; }
	for (int i = 0; i < 2; i++) {
		r = event_base_loop(base, EVLOOP_ONCE);
		printf(" pass %d -> %d\n", i, r);
	}
	event_free(e1);
	if (e2) event_free(e2);
	close(sv[0]);
	if (sv[1] >= 0) close(sv[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct event_base *base = event_base_new();
	printf("EV_FEATURE_EARLY_CLOSE: %s\n",
	    (event_base_get_features(base) & EV_FEATURE_EARLY_CLOSE) ? "yes" : "no");

	scenario(base, "CLOSED, peer shutdown(SHUT_WR)", EV_CLOSED, "closed", 0, NULL, 0, PEER_SHUT_WR);
	scenario(base, "CLOSED, peer close", EV_CLOSED, "closed", 0, NULL, 0, PEER_CLOSE);
	scenario(base, "CLOSED, nothing happens", EV_CLOSED, "closed", 0, NULL, 0, PEER_NOTHING);
	scenario(base, "CLOSED|READ, unread data then shutdown", EV_CLOSED | EV_READ, "closed|read", 0, NULL, 1, PEER_SHUT_WR);
	scenario(base, "CLOSED|READ, data only", EV_CLOSED | EV_READ, "closed|read", 0, NULL, 1, PEER_NOTHING);
	scenario(base, "CLOSED|WRITE, peer close", EV_CLOSED | EV_WRITE, "closed|write", 0, NULL, 0, PEER_CLOSE);
	scenario(base, "READ only, peer close", EV_READ, "read", 0, NULL, 0, PEER_CLOSE);
	scenario(base, "separate CLOSED and READ events, peer shutdown", EV_CLOSED, "closed", EV_READ, "read", 0, PEER_SHUT_WR);

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
