/* Covers: ev_token_bucket_init_, ev_token_bucket_update_ and
 * ev_token_bucket_get_tick_, which libevent_core exports and which work on
 * the caller's struct ev_token_bucket and an ev_token_bucket_cfg_new
 * configuration (libevent's private layouts, declared here): initial fill,
 * clipping on reinitialisation, refills capped at the burst, no refill
 * within a tick or for a tick counter that went back, tick numbers.
 */
#include <stdio.h>
#include <sys/time.h>
#include <event2/event.h>
#include <event2/bufferevent.h>

struct ev_token_bucket {
	ev_ssize_t read_limit, write_limit;
	ev_uint32_t last_updated;
};
struct ev_token_bucket_cfg {
	size_t read_rate, read_maximum, write_rate, write_maximum;
	struct timeval tick_timeout;
	unsigned msec_per_tick;
};
int ev_token_bucket_init_(struct ev_token_bucket *bucket, const struct ev_token_bucket_cfg *cfg,
    ev_uint32_t current_tick, int reinitialize);
int ev_token_bucket_update_(struct ev_token_bucket *bucket, const struct ev_token_bucket_cfg *cfg,
    ev_uint32_t current_tick);
ev_uint32_t ev_token_bucket_get_tick_(const struct timeval *tv, const struct ev_token_bucket_cfg *cfg);

static void show(const char *what, int r, const struct ev_token_bucket *b)
{
	printf("%-28s r=%d read=%ld write=%ld last=%u\n", what, r, (long)b->read_limit, (long)b->write_limit,
	    b->last_updated);
}

int main(void)
{
	struct timeval tick = { 0, 250000 }, t;
	struct ev_token_bucket_cfg *cfg = ev_token_bucket_cfg_new(100, 400, 10, 35, &tick);
	struct ev_token_bucket_cfg *small = ev_token_bucket_cfg_new(50, 60, 5, 7, &tick);
	struct ev_token_bucket b;
	int r;

	printf("cfg: rates %zu/%zu max %zu/%zu msec_per_tick=%u\n", cfg->read_rate, cfg->write_rate,
	    cfg->read_maximum, cfg->write_maximum, cfg->msec_per_tick);
	r = ev_token_bucket_init_(&b, cfg, 1000, 0);
	show("init at tick 1000", r, &b);
	r = ev_token_bucket_update_(&b, cfg, 1000);
	show("update, same tick", r, &b);
	b.read_limit -= 250;
	b.write_limit -= 40;
	r = ev_token_bucket_update_(&b, cfg, 1001);
	show("spent, one tick later", r, &b);
	r = ev_token_bucket_update_(&b, cfg, 1003);
	show("two more ticks", r, &b);
	r = ev_token_bucket_update_(&b, cfg, 1010);
	show("capped at the burst", r, &b);
	r = ev_token_bucket_update_(&b, cfg, 5);
	show("tick went back", r, &b);
	r = ev_token_bucket_init_(&b, small, 2000, 1);
	show("reinit with smaller bursts", r, &b);
	b.read_limit = 3;
	r = ev_token_bucket_init_(&b, small, 2000, 1);
	show("reinit below the burst", r, &b);

	t.tv_sec = 10;
	t.tv_usec = 600000;
	printf("tick of 10.6s = %u\n", ev_token_bucket_get_tick_(&t, cfg));
	t.tv_sec = 0;
	t.tv_usec = 249999;
	printf("tick of 0.249999s = %u\n", ev_token_bucket_get_tick_(&t, cfg));
	t.tv_sec = 4000000;
	t.tv_usec = 0;
	printf("tick of 4e6 s = %u\n", ev_token_bucket_get_tick_(&t, cfg));
	ev_token_bucket_cfg_free(cfg);
	ev_token_bucket_cfg_free(small);
	libevent_global_shutdown();
	return 0;
}
