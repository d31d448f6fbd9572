/* Covers: libevent's internal logging functions that libevent_core exports
 * (log-internal.h, no public header): event_warn, event_warnx, event_msgx,
 * event_sock_warn, event_debugx_, event_logv_ and the exiting ones
 * event_err, event_errx, event_sock_err (each in a child: the fatal
 * callback, exit status, abort for libevent's bug code), plus
 * event_debug_logging_mask_ as event_enable_debug_logging sets it and as a
 * program writes it. Messages reach the log callback cut to 1023 bytes.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <event2/event.h>

void event_err(int eval, const char *fmt, ...);
void event_warn(const char *fmt, ...);
void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...);
void event_sock_warn(evutil_socket_t sock, const char *fmt, ...);
void event_errx(int eval, const char *fmt, ...);
void event_warnx(const char *fmt, ...);
void event_msgx(const char *fmt, ...);
void event_debugx_(const char *fmt, ...);
void event_logv_(int severity, const char *errstr, const char *fmt, va_list ap);
extern uint32_t event_debug_logging_mask_;

static void on_log(int sev, const char *msg)
{
	size_t n = strlen(msg);
	/* Only our own messages: the library's debug lines differ. */
	if (msg[0] != 'T' && msg[0] != ':')
		return;
	if (n > 60)
		printf("log sev=%d len=%zu head=\"%.12s\" tail=\"%s\"\n", sev, n, msg, msg + n - 12);
	else
		printf("log sev=%d \"%s\"\n", sev, msg);
}

static void on_fatal(int code)
{
	printf("fatal callback code=%d\n", code);
	fflush(stdout);
}

static void on_fatal_exit9(int code)
{
	printf("fatal callback code=%d, exits 9\n", code);
	fflush(stdout);
	exit(9);
}

static void logv(int sev, const char *errstr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	event_logv_(sev, errstr, fmt, ap);
	va_end(ap);
}

static void child(int which)
{
	switch (which) {
	case 0:
		errno = EPIPE;
		event_err(3, "T err %s", "no fatal callback");
	case 1:
		event_set_fatal_callback(on_fatal);
		event_errx(4, "T errx %d", 4);
	case 2:
		event_set_fatal_callback(on_fatal_exit9);
		errno = ECONNRESET;
		event_sock_err(5, 7, "T sock_err fd=%d", 7);
	default:
		event_errx((int)0xdeaddead, "T errx with the bug code");
	}
}

int main(void)
{
	char big[2100];
	int i;

	event_set_log_callback(on_log);
	printf("mask at start=%u\n", (unsigned)event_debug_logging_mask_);
	event_warnx("T warnx %d %s", 42, "words");
	errno = ENOENT;
	event_warn("T warn %s", "with errno");
	errno = ECONNREFUSED;
	event_sock_warn(3, "T sock_warn %d", 3);
	event_msgx("T msgx");
	event_debugx_("T debug while the mask is 0");
	logv(EVENT_LOG_DEBUG, NULL, "T logv debug while the mask is 0");
	logv(EVENT_LOG_WARN, "the error", "T logv %s", "with errstr");
	logv(EVENT_LOG_MSG, "only errstr", NULL);
	logv(7, NULL, "T logv severity 7");

	event_enable_debug_logging(EVENT_DBG_ALL);
	printf("mask after EVENT_DBG_ALL=%#x\n", (unsigned)event_debug_logging_mask_);
	event_debugx_("T debugx %u", 1u);
	event_enable_debug_logging(EVENT_DBG_NONE);
	printf("mask after EVENT_DBG_NONE=%#x\n", (unsigned)event_debug_logging_mask_);
	event_debugx_("T debugx hidden again");
	event_debug_logging_mask_ = 2; /* written by the program itself */
	event_debugx_("T debugx after the program set the mask");
	event_debug_logging_mask_ = 0;

	/* Cut at 1023 bytes; ": errstr" only when it starts before the end. */
	memset(big, 'x', sizeof(big) - 1);
	big[0] = 'T';
	big[sizeof(big) - 1] = '\0';
	event_warnx("%s", big);
	big[1019] = '\0';
	errno = EINVAL;
	event_warn("%s", big);
	big[1019] = 'x';
	big[1021] = '\0';
	event_warn("%s", big);

	for (i = 0; i < 4; i++) {
		pid_t pid;
		int st;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			child(i);
			printf("child %d returned\n", i);
			_exit(100);
		}
		waitpid(pid, &st, 0);
		if (WIFEXITED(st))
			printf("child %d exit=%d\n", i, WEXITSTATUS(st));
		else
			printf("child %d signal=%d\n", i, WTERMSIG(st));
	}
	libevent_global_shutdown();
	return 0;
}
