/* thread_active: an event base fed by event_active from another thread.
 *
 * evthread_use_pthreads() first, so the base has its lock and its wake-up
 * channel.  The main thread runs the loop; a producer thread activates the
 * events.  Work goes in batches of B events (-b, default 100):
 *
 *   loop:      the gate callback says "ready" and waits for "go";
 *   producer:  waits for "ready", event_active()s the B events, says "go";
 *   loop:      the gate returns and the B callbacks run in the same pass;
 *              the next pass drains the wake-up and runs the gate again.
 *
 * The gate is an EV_READ|EV_PERSIST event on a pipe that always holds a
 * byte, so it is ready at every backend call and the loop never blocks in
 * it.  The base has two priorities: the library's wake-up event (priority
 * 0) runs before the gate (priority 1, like the B events) in every pass, so
 * the wake-up is drained before the producer activates the next batch.
 * While the gate callback waits the loop has let go of the base, so the
 * producer's activations never contend with the loop.  Every batch then does
 * exactly the same work in both libraries: B cross-thread event_active calls
 * (the first one writes the wake-up, the others find it pending), one
 * backend call returning two fds, one wake-up read, the gate and B
 * callbacks, plus the benchmark's own handshake (a mutex and a condition
 * variable, identical for both libraries, about two lock round trips per
 * batch).  -b 1 makes every event pay a whole wake-up.
 *
 * A warm-up of a tenth of the batches precedes the measured run.  The
 * measured run is bench_measured_phase() in the loop thread and
 * bench_producer_phase() in the producer, for callgrind's
 * --toggle-collect='bench_*phase*' (callgrind counts every thread).
 * Reported: CPU time (both threads) and wall time per delivered event.
 */
#include "bench_util.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/thread.h>

static struct event_base *base;
static struct event gate;
static struct event *evs;
static int batch = 100;
static long delivered;
static long gates;

/* The handshake between the gate callback and the producer. */
static pthread_mutex_t hs_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hs_cv = PTHREAD_COND_INITIALIZER;
static long ready_seq, go_seq;     /* batches the loop is ready for / the producer queued */
static long stop_at;               /* the gate breaks the loop at this ready_seq */

static void die(const char *what)
{
    fprintf(stderr, "thread_active: %s\n", what);
    exit(2);
}

static void on_event(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    delivered++;
}

static void on_gate(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    gates++;
    pthread_mutex_lock(&hs_mu);
    ready_seq++;
    pthread_cond_broadcast(&hs_cv);
    if (ready_seq == stop_at) {
        pthread_mutex_unlock(&hs_mu);
        event_base_loopbreak(base);
        return;
    }
    while (go_seq < ready_seq)
        pthread_cond_wait(&hs_cv, &hs_mu);
    pthread_mutex_unlock(&hs_mu);
}

/* Feed `n` batches; the loop's ready_seq counts from `first`. */
static void produce(long first, long n)
{
    for (long k = 1; k <= n; k++) {
        pthread_mutex_lock(&hs_mu);
        while (ready_seq < first + k)
            pthread_cond_wait(&hs_cv, &hs_mu);
        pthread_mutex_unlock(&hs_mu);
        for (int i = 0; i < batch; i++)
            event_active(&evs[i], EV_READ, 1);
        pthread_mutex_lock(&hs_mu);
        go_seq = first + k;
        pthread_cond_broadcast(&hs_cv);
        pthread_mutex_unlock(&hs_mu);
    }
}

struct job { long first, n; int measured; };

__attribute__((noinline)) void bench_producer_phase(long first, long n)
{
    produce(first, n);
    __asm__ volatile("" ::: "memory");
}

static void *producer_main(void *arg)
{
    struct job *j = arg;
    if (j->measured)
        bench_producer_phase(j->first, j->n);
    else
        produce(j->first, j->n);
    return NULL;
}

static void loop_until_break(void)
{
    if (event_base_dispatch(base) < 0 || !event_base_got_break(base))
        die("the loop ended without loopbreak");
}

__attribute__((noinline)) void bench_measured_phase(void)
{
    loop_until_break();
    __asm__ volatile("" ::: "memory");
}

/* One run of n batches: the producer thread and the loop in this thread. */
static void run(long n, int measured)
{
    pthread_mutex_lock(&hs_mu);
    struct job j = { ready_seq, n, measured };
    stop_at = ready_seq + n + 1;   /* the gate after the last batch breaks */
    pthread_mutex_unlock(&hs_mu);
    long d0 = delivered;
    pthread_t t;
    if (pthread_create(&t, NULL, producer_main, &j) != 0)
        die("pthread_create failed");
    if (measured)
        bench_measured_phase();
    else
        loop_until_break();
    pthread_join(t, NULL);
    if (delivered - d0 != n * batch) {
        fprintf(stderr, "thread_active: delivered %ld of %ld events\n", delivered - d0, n * batch);
        exit(2);
    }
    /* The loop broke in the gate: it is ready for the next run's first batch. */
    pthread_mutex_lock(&hs_mu);
    go_seq = ready_seq;
    pthread_mutex_unlock(&hs_mu);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "thread_active: watchdog expired\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

int main(int argc, char **argv)
{
    const char *label = "libevent";
    long events = 1000000;
    int opt;
    while ((opt = getopt(argc, argv, "l:b:e:")) != -1) {
        switch (opt) {
        case 'l': label = optarg; break;
        case 'b': batch = atoi(optarg); break;
        case 'e': events = atol(optarg); break;
        default:
            fprintf(stderr, "usage: thread_active [-l label] [-b batch] [-e events]\n");
            return 1;
        }
    }
    if (batch < 1 || events < batch)
        die("bad arguments");
    long batches = events / batch;
    signal(SIGALRM, on_alarm);
    alarm(600);

    if (evthread_use_pthreads() != 0)
        die("evthread_use_pthreads failed");
    base = event_base_new();
    if (!base)
        die("event_base_new failed");
    if (event_base_priority_init(base, 2) != 0)
        die("event_base_priority_init failed");

    int p[2];
    if (pipe(p) != 0 || write(p[1], "g", 1) != 1)
        die("pipe failed");
    if (event_assign(&gate, base, p[0], EV_READ | EV_PERSIST, on_gate, NULL) != 0 ||
        event_priority_set(&gate, 1) != 0 || event_add(&gate, NULL) != 0)
        die("cannot set up the gate event");
    evs = calloc((size_t)batch, sizeof *evs);
    if (!evs)
        die("out of memory");
    for (int i = 0; i < batch; i++)
        if (event_assign(&evs[i], base, -1, 0, on_event, NULL) != 0 || event_priority_set(&evs[i], 1) != 0)
            die("event_assign failed");

    run(batches / 10 > 1 ? batches / 10 : 1, 0);   /* warm-up */

    long g0 = gates;
    double c0 = bench_cpu_seconds(), w0 = bench_wall_seconds();
    run(batches, 1);
    double c1 = bench_cpu_seconds(), w1 = bench_wall_seconds();
    long n = batches * batch;
    printf("thread_active impl=%s method=%s batch=%d events=%ld gates=%ld cpu_s=%.6f wall_s=%.6f "
           "cpu_us_per_event=%.4f wall_us_per_event=%.4f lib=%s\n",
           label, event_base_get_method(base), batch, n, gates - g0, c1 - c0, w1 - w0,
           (c1 - c0) * 1e6 / (double)n, (w1 - w0) * 1e6 / (double)n, bench_lib_of((void *)event_base_new));

    event_del(&gate);
    close(p[0]);
    close(p[1]);
    free(evs);
    event_base_free(base);
    return 0;
}
