/* Fault injection for the mem_fault_*.c tests: a counting allocator for
 * event_set_mem_functions, the record of what each call site returned, and
 * the driver that runs a test's scenario
 *   - once with every allocation granted (counting them: `total`),
 *   - once for every N in 1..total with only the Nth allocation refused,
 *   - once for every N in 1..total+1 with every allocation from the Nth on
 *     refused (teardown included),
 * checking after each run that every block and every descriptor came back
 * (after libevent_global_shutdown), that free/realloc only ever got live
 * blocks, that each call either succeeded or returned libevent's failure
 * value (NULL or -1), and that each object handed to the program is a live
 * block of the allocator. Allocation counts and orders differ between
 * libraries, so only verdicts are printed, plus per call site (for sites
 * that cannot succeed without allocating, in any implementation) the set
 * of results seen.
 *
 * A test defines its sites (enum, MF_SITES names table with a `printed`
 * flag), `static void scenario(struct mf_run *r)` and
 * `static void baseline(const struct mf_run *r)` (what the successful run
 * observed), then calls mf_main().
 */
#ifndef MEM_FAULT_H
#define MEM_FAULT_H

#include <event2/event.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each test uses what it needs of the helpers below. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ------------------------------------------------------------ allocator */

#define MF_TABLE (1 << 16)           /* live blocks, open addressing */
static void *mf_live[MF_TABLE];
static long mf_nlive;
static long mf_calls;                /* allocating calls in this run */
static enum { MF_ALL, MF_NTH, MF_FROM } mf_mode;
static long mf_fail_at;
static long mf_bad_frees, mf_refused;

/* Inside calls that libevent itself cannot survive a refusal in (each
 * use says why), allocations are neither counted nor refused. */
static int mf_shielded;

static size_t mf_slot(void *p)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) & (MF_TABLE - 1);
}

static void mf_track(void *p)
{
	size_t i = mf_slot(p);
	while (mf_live[i] && mf_live[i] != (void *)1)
		i = (i + 1) & (MF_TABLE - 1);
	mf_live[i] = p;
	mf_nlive++;
}

static size_t mf_find(void *p)
{
	size_t i = mf_slot(p);
	while (mf_live[i]) {
		if (mf_live[i] == p)
			return i;
		i = (i + 1) & (MF_TABLE - 1);
	}
	return (size_t)-1;
}

static int mf_untrack(void *p)
{
	size_t i = mf_find(p);
	if (i == (size_t)-1)
		return 0;
	mf_live[i] = (void *)1;      /* tombstone */
	mf_nlive--;
	return 1;
}

static int mf_is_live(const void *p) { return p && mf_find((void *)p) != (size_t)-1; }

static int mf_refuse(void)
{
	if (mf_shielded)
		return 0;
	mf_calls++;
	if ((mf_mode == MF_NTH && mf_calls == mf_fail_at) || (mf_mode == MF_FROM && mf_calls >= mf_fail_at)) {
		mf_refused++;
		return 1;
	}
	return 0;
}

static void *mf_malloc(size_t n)
{
	void *p;
	if (mf_refuse())
		return NULL;
	if ((p = malloc(n)))
		mf_track(p);
	return p;
}

static void *mf_realloc(void *old, size_t n)
{
	void *p;
	if (old && !mf_is_live(old)) {
		mf_bad_frees++;
		return NULL;
	}
	if (mf_refuse())
		return NULL;             /* the old block stays as it was */
	if (old)
		mf_untrack(old);
	p = realloc(old, n);
	if (p)
		mf_track(p);
	else if (old)
		mf_track(old);
	return p;
}

static void mf_free(void *p)
{
	if (!p)
		return;
	if (!mf_untrack(p)) {
		mf_bad_frees++;
		return;                  /* not ours: leave it alone */
	}
	free(p);
}

static void mf_quiet(int severity, const char *msg) { (void)severity; (void)msg; }

/* ------------------------------------------------------------ results */

struct mf_site { const char *name; int printed; };

enum { MF_OK = 1, MF_FAILED = 2, MF_ODD = 4 };
#define MF_MAX_SITES 64
static int mf_seen[MF_MAX_SITES];
static long mf_odd, mf_foreign, mf_leaks, mf_leaked_fds;
/* A test's own checks that failed in some run (the scenario counts them). */
static long mf_check_failures;

static void mf_note(int s, int r)
{
	mf_seen[s] |= r;
	if (r == MF_ODD)
		mf_odd++;
}

/* A pointer result: NULL is the failure; otherwise, when `object` says the
 * program now holds it, a live block of our allocator. */
static void *mf_ptr(int s, void *p, int object)
{
	if (!p) {
		mf_note(s, MF_FAILED);
		return NULL;
	}
	if (object && !mf_is_live(p))
		mf_foreign++;
	mf_note(s, MF_OK);
	return p;
}

/* An int result: `okval` on success, -1 on failure. True on success. */
static int mf_int(int s, int r, int okval)
{
	mf_note(s, r == okval ? MF_OK : r == -1 ? MF_FAILED : MF_ODD);
	return r == okval;
}

/* An object the program holds that did not come back as a return value. */
static void mf_object(const void *p)
{
	if (p && !mf_is_live(p))
		mf_foreign++;
}

/* ------------------------------------------------------------ driver */

struct mf_run;
static void scenario(struct mf_run *r);
static void baseline(const struct mf_run *r);

static int mf_open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static void mf_run_once(struct mf_run *r, size_t size)
{
	int fds = mf_open_fds();
	memset(r, 0, size);
	mf_calls = 0;
	scenario(r);
	libevent_global_shutdown();
	if (mf_nlive) {
		mf_leaks += mf_nlive;
		/* Forget them so that the next run starts from nothing. */
		memset(mf_live, 0, sizeof mf_live);
		mf_nlive = 0;
	}
	if (mf_open_fds() != fds)
		mf_leaked_fds++;
}

static void mf_reset(void)
{
	memset(mf_seen, 0, sizeof mf_seen);
	mf_leaks = mf_leaked_fds = mf_bad_frees = mf_odd = mf_foreign = mf_check_failures = 0;
}

static void mf_report(const char *what, const struct mf_site *sites, int nsites)
{
	printf("%s: every run survived; leaked blocks: %ld; leaked descriptors: %ld; bad frees: %ld; "
	       "results other than success or NULL/-1: %ld; objects not from the allocator: %ld; "
	       "failed checks: %ld\n",
	       what, mf_leaks, mf_leaked_fds, mf_bad_frees, mf_odd, mf_foreign, mf_check_failures);
	for (int s = 0; s < nsites; s++) {
		if (!sites[s].printed)
			continue;
		printf("  %-34s%s%s%s\n", sites[s].name, mf_seen[s] & MF_OK ? " ok" : "",
		       mf_seen[s] & MF_FAILED ? " failed(NULL/-1)" : "", mf_seen[s] & MF_ODD ? " ODD" : "");
	}
	mf_reset();
}

static int mf_main(struct mf_run *r, size_t size, const struct mf_site *sites, int nsites)
{
	long total;

	event_set_mem_functions(mf_malloc, mf_realloc, mf_free);
	event_set_log_callback(mf_quiet);
	signal(SIGPIPE, SIG_IGN);

	mf_mode = MF_ALL;
	mf_run_once(r, size);
	total = mf_calls;
	printf("baseline: allocations made: %s\n", total > 0 ? "yes" : "no");
	baseline(r);
	printf("baseline: leaked blocks %ld, leaked descriptors %ld, bad frees %ld, odd results %ld, foreign objects %ld, "
	       "failed checks %ld\n", mf_leaks, mf_leaked_fds, mf_bad_frees, mf_odd, mf_foreign, mf_check_failures);
	for (int s = 0; s < nsites; s++)
		if (mf_seen[s] != MF_OK)
			printf("baseline: %s did not simply succeed\n", sites[s].name);
	mf_reset();

	/* Every allocation refused once, alone. */
	mf_mode = MF_NTH;
	mf_refused = 0;
	for (mf_fail_at = 1; mf_fail_at <= total; mf_fail_at++)
		mf_run_once(r, size);
	/* Runs are deterministic: each one reached the allocation it was to refuse. */
	printf("each refused allocation was one asked for: %s\n", mf_refused == total ? "yes" : "no");
	mf_report("one allocation refused", sites, nsites);

	/* Memory runs out for good at the Nth allocation. */
	mf_mode = MF_FROM;
	for (mf_fail_at = 1; mf_fail_at <= total + 1; mf_fail_at++)
		mf_run_once(r, size);
	mf_report("allocations refused from some point on", sites, nsites);

	printf("done\n");
	return 0;
}

#endif
