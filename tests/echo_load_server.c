/* echo_load_server: the echo server of tests/echo_load.sh.
 *
 * An evconnlistener on 127.0.0.1 (port 0: the kernel picks one) hands every
 * accepted socket to a bufferevent (BEV_OPT_CLOSE_ON_FREE) with EV_READ and
 * EV_WRITE enabled.  The read callback moves the whole input buffer to the
 * output: connections with an even serial number use bufferevent_write_buffer,
 * odd ones evbuffer_add_buffer on bufferevent_get_output.  EOF or an error
 * frees the bufferevent, which closes the socket.
 *
 * Standard output, line by line:
 *   port=N fds=N                  once listening (fds = open descriptors now,
 *                                 the baseline)
 *   status live=N accepted=N closed=N errors=N bytes=N fds=N
 *                                 on SIGUSR1
 *   final live=N accepted=N closed=N errors=N bytes=N fds=N baseline=N
 *                                 on SIGTERM or SIGINT, before the listener,
 *                                 the signal events and the base are freed and
 *                                 the process exits with status 0
 * RLIMIT_NOFILE is raised to its hard limit first.  Usage: echo_load_server
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

static struct {
    long live, accepted, closed, errors;
    unsigned long long bytes;
} st;
static int baseline_fds;

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;   /* the directory stream's own descriptor */
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    st.bytes += n;
    if (((long)(intptr_t)arg & 1) == 0) {
        if (bufferevent_write_buffer(bev, in) != 0)
            fprintf(stderr, "echo_load_server: bufferevent_write_buffer failed\n");
    } else {
        if (evbuffer_add_buffer(bufferevent_get_output(bev), in) != 0)
            fprintf(stderr, "echo_load_server: evbuffer_add_buffer failed\n");
    }
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)arg;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if (what & BEV_EVENT_ERROR)
            st.errors++;
        st.closed++;
        st.live--;
        bufferevent_free(bev);
    }
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int salen, void *arg)
{
    (void)sa; (void)salen; (void)arg;
    struct event_base *base = evconnlistener_get_base(lev);
    struct bufferevent *bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        fprintf(stderr, "echo_load_server: bufferevent_socket_new failed\n");
        evutil_closesocket(fd);
        return;
    }
    bufferevent_setcb(bev, read_cb, NULL, event_cb, (void *)(intptr_t)st.accepted);
    st.accepted++;
    st.live++;
    if (bufferevent_enable(bev, EV_READ | EV_WRITE) != 0)
        fprintf(stderr, "echo_load_server: bufferevent_enable failed\n");
}

static void accept_error_cb(struct evconnlistener *lev, void *arg)
{
    (void)lev; (void)arg;
    /* EMFILE and friends: reported, the listener keeps going. */
    fprintf(stderr, "echo_load_server: accept error: %s\n",
            evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static void print_counts(const char *tag)
{
    printf("%s live=%ld accepted=%ld closed=%ld errors=%ld bytes=%llu fds=%d", tag, st.live, st.accepted,
           st.closed, st.errors, st.bytes, count_fds());
}

static void usr1_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig; (void)what; (void)arg;
    print_counts("status");
    printf("\n");
}

static void term_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig; (void)what;
    print_counts("final");
    printf(" baseline=%d\n", baseline_fds);
    event_base_loopexit((struct event_base *)arg, NULL);
}

int main(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "echo_load_server: event_base_new failed\n");
        return 1;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0;
    struct evconnlistener *lev = evconnlistener_new_bind(base, accept_cb, NULL,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 4096, (struct sockaddr *)&sin, sizeof sin);
    if (!lev) {
        fprintf(stderr, "echo_load_server: cannot listen on 127.0.0.1\n");
        return 1;
    }
    evconnlistener_set_error_cb(lev, accept_error_cb);
    struct sockaddr_in bound;
    socklen_t blen = sizeof bound;
    if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&bound, &blen) != 0) {
        perror("getsockname");
        return 1;
    }
    struct event *sigterm = evsignal_new(base, SIGTERM, term_cb, base);
    struct event *sigint = evsignal_new(base, SIGINT, term_cb, base);
    struct event *sigusr1 = evsignal_new(base, SIGUSR1, usr1_cb, NULL);
    if (!sigterm || !sigint || !sigusr1 || event_add(sigterm, NULL) || event_add(sigint, NULL) || event_add(sigusr1, NULL)) {
        fprintf(stderr, "echo_load_server: cannot set up the signal events\n");
        return 1;
    }
    baseline_fds = count_fds();
    printf("port=%d fds=%d method=%s rlimit=%llu\n", ntohs(bound.sin_port), baseline_fds,
           event_base_get_method(base), (unsigned long long)rl.rlim_cur);

    int rc = event_base_dispatch(base);
    if (rc != 0)
        fprintf(stderr, "echo_load_server: event_base_dispatch returned %d\n", rc);

    evconnlistener_free(lev);
    event_free(sigterm);
    event_free(sigint);
    event_free(sigusr1);
    event_base_free(base);
    libevent_global_shutdown();
    return rc == 0 ? 0 : 1;
}
