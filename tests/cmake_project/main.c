/* Built by tests/cmake_project through find_package(Libevent): a base with
 * pthread locking, one timer, one line out. */
#include <event2/event.h>
#include <event2/thread.h>
#include <stdio.h>

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    printf("cmake_prog: timer fired (what=0x%x) on %s, libevent %s\n", (unsigned)what,
           event_base_get_method(arg), event_get_version());
}

int main(void)
{
    struct timeval tv = { 0, 10000 };
    struct event_base *base;
    struct event *ev;

    if (evthread_use_pthreads() != 0)
        return 2;
    base = event_base_new();
    if (!base)
        return 3;
    ev = evtimer_new(base, on_timer, base);
    if (!ev || evtimer_add(ev, &tv) != 0)
        return 4;
    if (event_base_dispatch(base) != 1) /* 1: no events left after the timer */
        return 5;
    event_free(ev);
    event_base_free(base);
    return 0;
}
