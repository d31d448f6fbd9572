/* Covers: evbuffers used from several threads at once (each thread its own
 * buffers, no locking needed): add/drain/read/write/add_buffer in parallel,
 * chains freed in a different thread from the one that allocated them
 * (a buffer handed over at join), and threads exiting with buffers freed,
 * so any per-thread state of the library must be released (valgrind).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define THREADS 4

struct job {
	int id;
	size_t moved;
	unsigned long sum;
	struct evbuffer *handover;
};

static void *work(void *arg)
{
	struct job *j = arg;
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
	char data[5000], out[5000];
	int sv[2], i, k;
	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (char)(i * 7 + j->id);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	for (i = 0; i < 300; i++) {
		evbuffer_add(a, data, 100 + (i * 37 + j->id) % 4900);
		evbuffer_add_printf(a, "%d:%d\n", j->id, i);
		evbuffer_add_buffer(b, a);
		while (evbuffer_get_length(b) > 0) {
			int w = evbuffer_write(b, sv[0]), r;
			if (w < 0)
				break;
			while ((r = evbuffer_read(a, sv[1], -1)) > 0)
				if (r >= (int)evbuffer_get_length(a))
					break;
			if (evbuffer_get_length(a) >= 4096 || evbuffer_get_length(b) == 0) {
				int n = evbuffer_remove(a, out, sizeof(out));
				for (k = 0; k < n; k++)
					j->sum += (unsigned char)out[k];
				j->moved += n;
			}
		}
		while (evbuffer_get_length(a) > 0) {
			int n = evbuffer_remove(a, out, sizeof(out));
			for (k = 0; k < n; k++)
				j->sum += (unsigned char)out[k];
			j->moved += n;
		}
	}
	/* leave one buffer with data for the main thread to free */
	evbuffer_add(b, data, 3000);
	j->handover = b;
	evbuffer_free(a);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	struct job jobs[THREADS];
	int i;
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < THREADS; i++) {
		jobs[i].id = i;
		pthread_create(&t[i], NULL, work, &jobs[i]);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		printf("thread %d moved %zu bytes, sum %lu, handed over %zu\n", i, jobs[i].moved, jobs[i].sum,
		    evbuffer_get_length(jobs[i].handover));
		evbuffer_free(jobs[i].handover);
	}
	libevent_global_shutdown();
	return 0;
}
