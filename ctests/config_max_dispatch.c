/* Covers: event_config_set_max_dispatch_interval (return value; the
 * max_callbacks limit, the max_interval limit, min_priority exemption, -1 /
 * NULL meaning "no limit", 0 callbacks and a zero interval).
 * Scenario: six low-priority (priority 1 of 3) events are active at once; the
 * first one's callback makes a high-priority (priority 0) read event ready.
 * Without a limit all six low callbacks run before the loop polls again, so
 * the high event comes last; with a limit the loop polls after N callbacks
 * (or after the interval) and the high event jumps ahead of the rest. */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static int sv[2];
static int sleepy_ms;   /* low callbacks L1 and L2 sleep this long */

static void low_cb(evutil_socket_t fd, short what, void *arg)
{
    int n = (int)(long)arg;
    printf(" L%d", n);
    if (n == 1 && write(sv[1], "h", 1) != 1) printf("[write failed]");
    if (n <= 2 && sleepy_ms) usleep(sleepy_ms * 1000);
}

static void high_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;
    if (read(fd, &c, 1) != 1) printf("[read failed]");
    printf(" H");
}

static void scenario(const char *label, int set, const struct timeval *interval, int max_cb, int min_pri, int sleep_ms)
{
    struct event_config *cfg = event_config_new();
    int r = 0;
    if (set) r = event_config_set_max_dispatch_interval(cfg, interval, max_cb, min_pri);
    struct event_base *b = event_base_new_with_config(cfg);
    event_config_free(cfg);
    event_base_priority_init(b, 3);
    sleepy_ms = sleep_ms;

    struct event *h = event_new(b, sv[0], EV_READ, high_cb, NULL);
    event_priority_set(h, 0);
    event_add(h, NULL);
    struct event *low[6];
    for (int i = 0; i < 6; i++) {
        low[i] = evtimer_new(b, low_cb, (void *)(long)(i + 1));
        event_priority_set(low[i], 1);
        event_active(low[i], EV_TIMEOUT, 0);
    }
    printf("%-44s ret=%d order:", label, r);
    int d = event_base_dispatch(b);
    printf("  (dispatch=%d)\n", d);
    for (int i = 0; i < 6; i++)
        event_free(low[i]);
    event_free(h);
    event_base_free(b);
}

int main(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    struct timeval t50 = {0, 50000}, zero = {0, 0}, big = {10, 0};

    scenario("default config", 0, NULL, 0, 0, 0);
    scenario("NULL interval, max -1, min_pri 0", 1, NULL, -1, 0, 0);
    scenario("NULL interval, max 2, min_pri 0", 1, NULL, 2, 0, 0);
    scenario("NULL interval, max 2, min_pri 1", 1, NULL, 2, 1, 0);
    scenario("NULL interval, max 2, min_pri 2 (exempt)", 1, NULL, 2, 2, 0);
    scenario("NULL interval, max 2, min_pri -5", 1, NULL, 2, -5, 0);
    scenario("NULL interval, max 3, min_pri 0", 1, NULL, 3, 0, 0);
    scenario("NULL interval, max 1, min_pri 0", 1, NULL, 1, 0, 0);
    scenario("NULL interval, max 0, min_pri 0", 1, NULL, 0, 0, 0);
    scenario("10s interval, max -1", 1, &big, -1, 0, 0);
    scenario("zero interval, max -1", 1, &zero, -1, 0, 0);
    scenario("50ms interval, max -1, L1/L2 sleep 30ms", 1, &t50, -1, 0, 30);
    scenario("50ms interval, max -1, min_pri 2 (exempt)", 1, &t50, -1, 2, 30);

    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
