/*
 * event2/thread.h -- plugging locking into the library.
 *
 * Nothing is locked until the program installs lock, condition and thread-id
 * functions, either its own (evthread_set_*_callbacks) or the pthreads ones
 * via evthread_use_pthreads().  Do this before creating any event_base.
 */
#ifndef EVENT2_THREAD_H_INCLUDED_
#define EVENT2_THREAD_H_INCLUDED_

#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event-config.h>

/* 'mode' bits passed to the lock and unlock callbacks. */
#define EVTHREAD_WRITE	0x04   /* write side of a read/write lock */
#define EVTHREAD_READ	0x08   /* read side of a read/write lock */
#define EVTHREAD_TRY    0x10   /* fail instead of blocking */

#if !defined(EVENT__DISABLE_THREAD_SUPPORT) || defined(EVENT_IN_DOXYGEN_)

/* Value for evthread_lock_callbacks.lock_api_version. */
#define EVTHREAD_LOCK_API_VERSION 1

/* Lock kinds requested from the alloc callback (0 means a plain mutex). */
#define EVTHREAD_LOCKTYPE_RECURSIVE 1   /* may be re-taken by its holder */
#define EVTHREAD_LOCKTYPE_READWRITE 2   /* shared readers, one writer */

/* A lock implementation supplied by the program. */
struct evthread_lock_callbacks {
	int lock_api_version;            /* EVTHREAD_LOCK_API_VERSION */
	unsigned supported_locktypes;    /* EVTHREAD_LOCKTYPE_* bits offered */
	void *(*alloc)(unsigned locktype);
	void (*free)(void *lock, unsigned locktype);
	int (*lock)(unsigned mode, void *lock);     /* 0 on success */
	int (*unlock)(unsigned mode, void *lock);   /* 0 on success */
};

/* Install (or with NULL, remove) lock functions; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evthread_set_lock_callbacks(const struct evthread_lock_callbacks *);

/* Value for evthread_condition_callbacks.condition_api_version. */
#define EVTHREAD_CONDITION_API_VERSION 1

struct timeval;

/* A condition-variable implementation supplied by the program. */
struct evthread_condition_callbacks {
	int condition_api_version;      /* EVTHREAD_CONDITION_API_VERSION */
	void *(*alloc_condition)(unsigned condtype);
	void (*free_condition)(void *cond);
	/* Wake one waiter, or all of them if broadcast is nonzero. */
	int (*signal_condition)(void *cond, int broadcast);
	/* Wait with lock held; 0 when signalled, 1 on timeout, -1 on error. */
	int (*wait_condition)(void *cond, void *lock,
	    const struct timeval *timeout);
};

/* Install condition-variable functions; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evthread_set_condition_callbacks(
	const struct evthread_condition_callbacks *);

/* Install the function that identifies the calling thread. */
EVENT2_EXPORT_SYMBOL
void evthread_set_id_callback(
    unsigned long (*id_fn)(void));

#if (defined(_WIN32) && !defined(EVENT__DISABLE_THREAD_SUPPORT)) || defined(EVENT_IN_DOXYGEN_)
/* Use Windows native locks and conditions. */
EVENT2_EXPORT_SYMBOL
int evthread_use_windows_threads(void);
#define EVTHREAD_USE_WINDOWS_THREADS_IMPLEMENTED 1
#endif

#if defined(EVENT__HAVE_PTHREADS) || defined(EVENT_IN_DOXYGEN_)
/* Use pthread mutexes and condition variables (link libevent_pthreads). */
EVENT2_EXPORT_SYMBOL
int evthread_use_pthreads(void);
#define EVTHREAD_USE_PTHREADS_IMPLEMENTED 1
#endif

/* Wrap the installed locks with checks for misuse (double lock, etc.). */
EVENT2_EXPORT_SYMBOL
void evthread_enable_lock_debugging(void);

/* Misspelled alias of evthread_enable_lock_debugging(), kept for old code. */
EVENT2_EXPORT_SYMBOL
void evthread_enable_lock_debuging(void);

#endif /* !EVENT__DISABLE_THREAD_SUPPORT */

struct event_base;
/* Let other threads wake the base's loop; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evthread_make_base_notifiable(struct event_base *base);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
