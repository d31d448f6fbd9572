/* C helpers of the TLS library: the kind table (its entries are Swift
 * functions, TlsOps.swift), the BIO method, variadic logging, and the
 * allocation hooks of this library's private runtime allocator
 * (runtime_alloc.c built as build/tls_runtime.o).
 *
 * The core's internal logging and allocator names (libevent's event_warnx,
 * event_mm_malloc_, event_mm_free_) are referenced weakly: a core that does
 * not export them yet leaves the library on libc's malloc and silent. */
#include "CEventTls.h"
#include <pthread.h>
#include <stdlib.h>

void event_warnx(const char *fmt, ...) __attribute__((weak));
void *event_mm_malloc_(size_t sz) __attribute__((weak));
void event_mm_free_(void *p) __attribute__((weak));

void *cevtls_mem_alloc(size_t size) { return event_mm_malloc_ ? event_mm_malloc_(size) : malloc(size); }
void cevtls_mem_free(void *p)
{
	if (event_mm_free_)
		event_mm_free_(p);
	else
		free(p);
}

int cevtls_op_enable(struct bufferevent *bev, short events);
int cevtls_op_disable(struct bufferevent *bev, short events);
void cevtls_op_unlink(struct bufferevent *bev);
void cevtls_op_destruct(struct bufferevent *bev);
int cevtls_op_adj_timeouts(struct bufferevent *bev);
int cevtls_op_flush(struct bufferevent *bev, short iotype, enum bufferevent_flush_mode mode);
evutil_socket_t cevtls_op_get_fd(struct bufferevent *bev);
int cevtls_op_set_fd(struct bufferevent *bev, evutil_socket_t fd);
struct bufferevent *cevtls_op_get_underlying(struct bufferevent *bev);

const struct bufferevent_ops cevtls_ops = {
	"ssl",
	cevtls_op_enable,
	cevtls_op_disable,
	cevtls_op_unlink,
	cevtls_op_destruct,
	cevtls_op_adj_timeouts,
	cevtls_op_flush,
	cevtls_op_get_fd,
	cevtls_op_set_fd,
	cevtls_op_get_underlying,
};

int cevtls_bio_write(BIO *b, const char *in, int len);
int cevtls_bio_read(BIO *b, char *out, int len);
long cevtls_bio_ctrl(BIO *b, int cmd, long num, void *ptr);
int cevtls_bio_create(BIO *b);
int cevtls_bio_destroy(BIO *b);

static int bio_puts(BIO *b, const char *s) { return cevtls_bio_write(b, s, (int)strlen(s)); }

/* libevent's BIO type number for its bufferevent BIO. */
#define CEVTLS_BIO_TYPE 57

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void make_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(CEVTLS_BIO_TYPE, "bufferevent");
	if (!m)
		return;
	BIO_meth_set_write(m, cevtls_bio_write);
	BIO_meth_set_read(m, cevtls_bio_read);
	BIO_meth_set_puts(m, bio_puts);
	BIO_meth_set_ctrl(m, cevtls_bio_ctrl);
	BIO_meth_set_create(m, cevtls_bio_create);
	BIO_meth_set_destroy(m, cevtls_bio_destroy);
	bio_method = m;
}

BIO_METHOD *cevtls_bio_method(void)
{
	pthread_once(&bio_once, make_bio_method);
	return bio_method;
}

void cevtls_warn(const char *msg)
{
	if (event_warnx)
		event_warnx("%s", msg);
}

void cevtls_warn_code(const char *msg, int code)
{
	if (event_warnx)
		event_warnx("%s %d", msg, code);
}
