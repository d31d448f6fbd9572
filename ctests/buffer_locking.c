/* Covers: evbuffer_enable_locking after evthread_use_pthreads (a lock of
 * its own; a second call refused), evbuffer_lock /
 * evbuffer_unlock (recursive, held across several calls), and several
 * threads adding to, draining from and moving between shared locked
 * buffers at once, with callbacks that run under the lock.
 * ctest-libs: -levent_pthreads
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 20000

static struct evbuffer *shared, *other;
static long cb_added, cb_deleted;   /* updated by callbacks, under the lock */

static void count_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b;
	(void)arg;
	cb_added += (long)info->n_added;
	cb_deleted += (long)info->n_deleted;
}

static void *worker(void *arg)
{
	int id = (int)(long)arg, i;
	char rec[16], out[16];
	long removed = 0;
	memset(rec, 'a' + id, sizeof(rec));
	for (i = 0; i < ROUNDS; i++) {
		evbuffer_add(shared, rec, sizeof(rec));
		if (i % 3 == 0) {
			/* remove one whole record under an explicit lock */
			evbuffer_lock(shared);
			if (evbuffer_get_length(shared) >= sizeof(out))
				removed += evbuffer_remove(shared, out, sizeof(out));
			evbuffer_unlock(shared);
		}
		if (i % 7 == 0)
			evbuffer_remove_buffer(shared, other, 32);
		if (i % 11 == 0)
			evbuffer_remove_buffer(other, shared, 16);
	}
	return (void *)removed;
}

int main(void)
{
	pthread_t t[THREADS];
	long removed = 0;
	int i;
	struct evbuffer *mine;
	void *user_lock;

	printf("evthread_use_pthreads -> %d\n", evthread_use_pthreads());
	shared = evbuffer_new();
	other = evbuffer_new();
	printf("enable_locking(NULL) -> %d\n", evbuffer_enable_locking(shared, NULL));
	printf("again -> %d\n", evbuffer_enable_locking(shared, NULL));
	printf("other -> %d\n", evbuffer_enable_locking(other, NULL));
	evbuffer_add_cb(shared, count_cb, NULL);

	/* a third buffer with its own lock, used across calls */
	mine = evbuffer_new();
	{
		int r1, r2;
		user_lock = NULL;
		evbuffer_lock(other);   /* make sure it is a working lock first */
		evbuffer_unlock(other);
		r1 = evbuffer_enable_locking(mine, NULL);
		r2 = evbuffer_enable_locking(mine, NULL);
		printf("enable_locking(mine) -> %d, again -> %d\n", r1, r2);
	}
	evbuffer_add(mine, "abc", 3);
	evbuffer_lock(mine);
	printf("mine under lock: %zu\n", evbuffer_get_length(mine));
	evbuffer_unlock(mine);
	evbuffer_free(mine);
	(void)user_lock;

	evbuffer_lock(shared);
	evbuffer_lock(shared);
	evbuffer_add(shared, "x", 1);
	evbuffer_unlock(shared);
	evbuffer_drain(shared, 1);
	evbuffer_unlock(shared);

	for (i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	for (i = 0; i < THREADS; i++) {
		void *r;
		pthread_join(t[i], &r);
		removed += (long)r;
	}
	/* How the bytes split between the buffers depends on the scheduling;
	 * the totals do not. */
	printf("added %ld, removed + left = %ld\n", (long)THREADS * ROUNDS * 16,
	    removed + (long)evbuffer_get_length(shared) + (long)evbuffer_get_length(other));
	printf("callbacks agree with the length: %s\n",
	    cb_added - cb_deleted == (long)evbuffer_get_length(shared) ? "yes" : "no");
	evbuffer_free(shared);
	evbuffer_free(other);
	libevent_global_shutdown();
	return 0;
}
