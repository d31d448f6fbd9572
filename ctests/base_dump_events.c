/* Covers: event_base_dump_events output format (written to a tmpfile and read
 * back): the "Inserted events:" and "Active events:" sections, per-event flag
 * words (Read, Write, EOF, ET, Persist, Signal, Internal, Timeout=...,
 * active, priority=), io/signal/timer/common-timeout events, events both
 * inserted and active, active-only events, and an empty base.
 * Normalized so it is deterministic: hex addresses become ADDR, non-negative
 * fd numbers become N (signal numbers are kept), and Timeout=<sec>.<usec> becomes Timeout=<+Ns> with N
 * the seconds from now rounded up (gettimeofday; up to 0.9s of slack). */
#include <event2/event.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static void cb(evutil_socket_t fd, short what, void *arg) {}

static void normalize(const char *in, char *out, size_t outsz)
{
    size_t o = 0;
    const char *p = in;
    while (*p && o + 32 < outsz) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
            p += 2;
            while (isxdigit((unsigned char)*p)) p++;
            o += snprintf(out + o, outsz - o, "ADDR");
        } else if (!strncmp(p, "[fd ", 4) || !strncmp(p, "[sig ", 5)) {
            /* copy the label and its spaces, then replace a non-negative fd
             * number (those vary with the backend's own descriptors); signal
             * numbers are kept */
            int is_fd = p[1] == 'f';
            while (*p && *p != ' ') out[o++] = *p++;
            while (*p == ' ') out[o++] = *p++;
            if (is_fd && isdigit((unsigned char)*p)) {
                while (isdigit((unsigned char)*p)) p++;
                out[o++] = 'N';
            }
        } else if (!strncmp(p, "Timeout=", 8)) {
            char *end;
            p += 8;
            double t = strtod(p, &end);
            p = end;
            struct timeval now;
            gettimeofday(&now, NULL);
            double d = t - (now.tv_sec + now.tv_usec / 1e6);
            o += snprintf(out + o, outsz - o, "Timeout=<+%ds>", (int)(d + 0.9));
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = 0;
}

static void dump(struct event_base *b, const char *title)
{
    FILE *f = tmpfile();
    char line[512], norm[1024];
    printf("== %s\n", title);
    event_base_dump_events(b, f);
    rewind(f);
    while (fgets(line, sizeof(line), f)) {
        normalize(line, norm, sizeof(norm));
        fputs(norm, stdout);
    }
    fclose(f);
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    struct event_base *b = event_base_new();
    event_base_priority_init(b, 3);
    dump(b, "empty base");

    struct event *r = event_new(b, sv[0], EV_READ | EV_PERSIST, cb, NULL);
    struct timeval five = {5, 0}, three = {3, 0}, ten = {10, 0};
    event_add(r, NULL);
    dump(b, "one persistent read");

    struct event *w = event_new(b, sv[1], EV_WRITE | EV_ET | EV_CLOSED, cb, NULL);
    event_add(w, &five);
    dump(b, "plus write|ET|CLOSED with 5s timeout");

    struct event *t = evtimer_new(b, cb, NULL);
    event_add(t, &three);
    struct event *s = evsignal_new(b, SIGUSR1, cb, NULL);
    event_add(s, NULL);
    dump(b, "plus 3s timer and SIGUSR1");

    const struct timeval *common = event_base_init_common_timeout(b, &ten);
    struct event *c = evtimer_new(b, cb, NULL);
    event_add(c, common);
    dump(b, "plus timer on a 10s common timeout");

    struct event *rw = event_new(b, sv[0], EV_READ | EV_WRITE | EV_CLOSED, cb, NULL);
    event_add(rw, NULL);
    dump(b, "plus second event on the same fd (read|write|closed)");

    /* active events: one that is also inserted, several active-only ones */
    event_active(r, EV_READ, 0);
    struct event *a0 = evtimer_new(b, cb, NULL);
    struct event *a2 = event_new(b, -1, 0, cb, NULL);
    struct event *as = evsignal_new(b, SIGUSR2, cb, NULL);
    event_priority_set(a0, 0);
    event_priority_set(a2, 2);
    event_active(a2, EV_READ | EV_WRITE | EV_TIMEOUT, 0);
    event_active(a0, EV_TIMEOUT, 0);
    event_active(as, EV_SIGNAL, 0);
    dump(b, "with active events");

    event_del(w);
    event_del(t);
    event_del(rw);
    event_del(c);
    dump(b, "after deleting w, t, rw, c");

    event_base_loop(b, EVLOOP_NONBLOCK);
    dump(b, "after running the loop once");

    event_free(r);
    event_free(w);
    event_free(t);
    event_free(s);
    event_free(c);
    event_free(rw);
    event_free(a0);
    event_free(a2);
    event_free(as);
    dump(b, "everything freed");
    event_base_free(b);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
