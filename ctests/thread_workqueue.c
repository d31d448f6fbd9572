/* Covers: a small threaded work-queue server, the way real programs use
 * libevent with threads.  The loop thread accepts connections on 127.0.0.1
 * (evconnlistener, port 0), reads request lines from bufferevents
 * (evbuffer_readln) and queues them to a pool of worker threads; a worker
 * computes the answer and hands it back to the loop either through a shared
 * event it activates with event_active (even ids) or with a zero-timeout
 * event_base_once (odd ids); the loop writes the reply line.  Client threads
 * of the same program (blocking sockets) send many requests over several
 * connections and check every reply.  The main thread stops the loop with
 * event_base_loopexit once the server has closed every connection.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define NWORKERS 4
#define NCLIENTS 4
#define CONNS 3		/* connections per client thread, one after the other */
#define REQS 500	/* requests per connection */

static struct event_base *base;

struct conn {
	struct bufferevent *bev;
	int outstanding;	/* jobs handed to workers, reply not written yet */
	int eof;
};

struct job {
	struct conn *c;
	int id;
	unsigned n, result;
	struct job *next;
};

/* Worker input and output queues, one lock for both. */
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static struct job *todo_head, *todo_tail, *done_head;
static int stopping;
static struct event *done_ev;
static struct flag closed;	/* connections the server freed */
static int server_jobs, server_bad_lines;

static unsigned work(unsigned n)
{
	unsigned steps = 0;
	unsigned long long x = n;
	while (x != 1) {
		x = (x & 1) ? 3 * x + 1 : x / 2;
		steps++;
	}
	return steps * 1000u + n % 997u;
}

static void conn_release(struct conn *c)
{
	if (c->eof && c->outstanding == 0) {
		bufferevent_free(c->bev);
		free(c);
		flag_add(&closed, 1);
	}
}

/* In the loop thread: write one reply. */
static void reply(struct job *j)
{
	struct conn *c = j->c;
	evbuffer_add_printf(bufferevent_get_output(c->bev), "%d %u\n", j->id, j->result);
	c->outstanding--;
	free(j);
	conn_release(c);
}

static void done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *list, *next;
	(void)fd; (void)what; (void)arg;
	pthread_mutex_lock(&qlock);
	list = done_head;
	done_head = NULL;
	pthread_mutex_unlock(&qlock);
	for (; list; list = next) {
		next = list->next;
		reply(list);
	}
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	reply(arg);
}

static void *worker(void *arg)
{
	(void)arg;
	for (;;) {
		struct job *j;
		pthread_mutex_lock(&qlock);
		while (!todo_head && !stopping)
			pthread_cond_wait(&qcond, &qlock);
		if (!todo_head) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		j = todo_head;
		todo_head = j->next;
		if (!todo_head)
			todo_tail = NULL;
		pthread_mutex_unlock(&qlock);

		j->result = work(j->n);
		if (j->id % 2 == 0) {
			pthread_mutex_lock(&qlock);
			j->next = done_head;
			done_head = j;
			pthread_mutex_unlock(&qlock);
			event_active(done_ev, EV_READ, 0);
		} else if (event_base_once(base, -1, EV_TIMEOUT, once_cb, j, NULL) != 0) {
			fprintf(stderr, "event_base_once failed\n");
		}
	}
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	char *line;
	size_t len;
	while ((line = evbuffer_readln(bufferevent_get_input(bev), &len, EVBUFFER_EOL_LF)) != NULL) {
		struct job *j = calloc(1, sizeof(*j));
		if (sscanf(line, "%d %u", &j->id, &j->n) != 2) {
			server_bad_lines++;
			free(j);
			free(line);
			continue;
		}
		free(line);
		j->c = c;
		c->outstanding++;
		server_jobs++;
		pthread_mutex_lock(&qlock);
		if (todo_tail)
			todo_tail->next = j;
		else
			todo_head = j;
		todo_tail = j;
		pthread_cond_signal(&qcond);
		pthread_mutex_unlock(&qlock);
	}
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	(void)what;
	bufferevent_disable(bev, EV_READ);
	c->eof = 1;
	conn_release(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct conn *c = calloc(1, sizeof(*c));
	(void)l; (void)sa; (void)len; (void)arg;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c->bev, read_cb, NULL, event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

/* ---- clients: plain blocking sockets */
static struct sockaddr_in server_addr;

struct client {
	pthread_t t;
	int idx;
	int ok, wrong, missing;
	unsigned long long sum;
};

static pthread_mutex_t broken_lock = PTHREAD_MUTEX_INITIALIZER;
static int broken;	/* a client got no reply within 3 s */

static void set_broken(void)
{
	pthread_mutex_lock(&broken_lock);
	broken = 1;
	pthread_mutex_unlock(&broken_lock);
}

static int client_broken(void)
{
	int b;
	pthread_mutex_lock(&broken_lock);
	b = broken;
	pthread_mutex_unlock(&broken_lock);
	return b;
}

static unsigned request_n(int client, int conn, int i)
{
	return (unsigned)((client * 7919 + conn * 104729 + i * 31) % 100000 + 1);
}

static void *client_main(void *arg)
{
	struct client *cl = arg;
	int k;
	for (k = 0; k < CONNS; k++) {
		char out[REQS * 24], in[8192], line[64];
		int seen[REQS], i, len = 0, got = 0, ll = 0;
		struct timeval tv = { 3, 0 };
		int fd;
		if (client_broken()) {
			/* The server failed another client: do not wait 3 s more. */
			cl->missing += REQS;
			continue;
		}
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&server_addr, sizeof(server_addr)) != 0)
			die("client connect");
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		memset(seen, 0, sizeof(seen));
		for (i = 0; i < REQS; i++)
			len += sprintf(out + len, "%d %u\n", i, request_n(cl->idx, k, i));
		/* Three writes that split lines: the server must reassemble. */
		if (write(fd, out, 7) != 7 || write(fd, out + 7, len / 2 - 7) != len / 2 - 7 ||
		    write(fd, out + len / 2, len - len / 2) != len - len / 2)
			set_broken();
		while (got < REQS) {
			ssize_t n = read(fd, in, sizeof(in)), p;
			if (n <= 0) {
				set_broken();
				break;
			}
			for (p = 0; p < n; p++) {
				int id;
				unsigned res;
				if (in[p] != '\n') {
					if (ll < (int)sizeof(line) - 1)
						line[ll++] = in[p];
					continue;
				}
				line[ll] = 0;
				ll = 0;
				got++;
				if (sscanf(line, "%d %u", &id, &res) != 2 || id < 0 || id >= REQS || seen[id]) {
					cl->wrong++;
					continue;
				}
				seen[id] = 1;
				if (res == work(request_n(cl->idx, k, id))) {
					cl->ok++;
					cl->sum += res;
				} else {
					cl->wrong++;
				}
			}
		}
		for (i = 0; i < REQS; i++)
			cl->missing += !seen[i];
		close(fd);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	int it, i;
	long ok = 0, wrong = 0, missing = 0, jobs = 0, bad_lines = 0, closed_all = 0, exits = 0;
	unsigned long long sum = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	signal(SIGPIPE, SIG_IGN);	/* a broken server shows as missing replies */
	flag_init(&closed);
	/* A broken server costs seconds per iteration: stop at the first. */
	for (it = 0; it < iters && !client_broken(); it++) {
		struct evconnlistener *lev;
		struct looper lp;
		pthread_t workers[NWORKERS];
		struct client cl[NCLIENTS];
		socklen_t alen = sizeof(server_addr);

		base = event_base_new();
		if (!base)
			die("event_base_new");
		memset(&server_addr, 0, sizeof(server_addr));
		server_addr.sin_family = AF_INET;
		server_addr.sin_addr.s_addr = htonl(0x7f000001);
		lev = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
		    64, (struct sockaddr *)&server_addr, sizeof(server_addr));
		if (!lev)
			die("evconnlistener_new_bind");
		getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&server_addr, &alen);
		done_ev = event_new(base, -1, 0, done_cb, NULL);
		flag_set(&closed, 0);
		server_jobs = server_bad_lines = 0;
		stopping = 0;
		looper_init(&lp, base);
		looper_start(&lp, 0);
		for (i = 0; i < NWORKERS; i++)
			pthread_create(&workers[i], NULL, worker, NULL);
		phase("clients talking to the server");
		for (i = 0; i < NCLIENTS; i++) {
			memset(&cl[i], 0, sizeof(cl[i]));
			cl[i].idx = i;
			pthread_create(&cl[i].t, NULL, client_main, &cl[i]);
		}
		for (i = 0; i < NCLIENTS; i++) {
			pthread_join(cl[i].t, NULL);
			ok += cl[i].ok;
			wrong += cl[i].wrong;
			missing += cl[i].missing;
			sum += cl[i].sum;
		}
		phase("waiting for the server to close connections");
		closed_all += flag_wait(&closed, NCLIENTS * CONNS, PROMPT_MS);
		phase("loopexit and join");
		event_base_loopexit(base, NULL);
		exits += looper_join(&lp, PROMPT_MS) && lp.result == 0;

		phase("stopping workers");
		pthread_mutex_lock(&qlock);
		stopping = 1;
		pthread_cond_broadcast(&qcond);
		pthread_mutex_unlock(&qlock);
		for (i = 0; i < NWORKERS; i++)
			pthread_join(workers[i], NULL);
		jobs += server_jobs;
		bad_lines += server_bad_lines;

		phase("freeing");
		evconnlistener_free(lev);
		event_free(done_ev);
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d workers=%d clients=%d connections each=%d requests each=%d\n",
	    it, NWORKERS, NCLIENTS, CONNS, REQS);
	printf("replies ok=%ld wrong=%ld missing=%ld checksum=%llu\n", ok, wrong, missing, sum);
	printf("server: jobs=%ld bad lines=%ld all connections closed=%ld loops ended by loopexit=%ld\n",
	    jobs, bad_lines, closed_all, exits);
	flag_destroy(&closed);
	libevent_global_shutdown();
	return 0;
}
