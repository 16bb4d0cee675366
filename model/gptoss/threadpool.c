/*
 * threadpool.c: one pool of pthreads for the engine.
 *
 * gptoss_pool_run publishes a job (function, argument, task count) under a
 * new generation number; workers and the calling thread claim tasks with an
 * atomic counter, and the caller waits until every worker has finished.
 * Which thread runs a task never changes a result: tasks write disjoint
 * outputs.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "model/gptoss/gptoss-impl.h"
#include "src/xmalloc.h"

struct gptoss_pool {
	uint32_t nthreads;
	pthread_t *threads; /* [nthreads - 1] */
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	uint64_t generation;
	uint32_t active;    /* workers still in the current job */
	int quit;
	gptoss_task_fn fn;
	void *arg;
	uint32_t ntasks;
	atomic_uint next;
};

struct worker_arg {
	struct gptoss_pool *pool;
	uint32_t id;
};

static void
drain(struct gptoss_pool *p, uint32_t thread)
{
	uint32_t t;

	while ((t = atomic_fetch_add(&p->next, 1)) < p->ntasks)
		p->fn(p->arg, t, thread);
}

static void *
worker(void *v)
{
	struct worker_arg *wa = v;
	struct gptoss_pool *p = wa->pool;
	uint32_t id = wa->id;
	uint64_t seen = 0;

	free(wa);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->generation == seen)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->quit)
			break;
		seen = p->generation;
		pthread_mutex_unlock(&p->mu);
		drain(p, id);
		pthread_mutex_lock(&p->mu);
		if (--p->active == 0)
			pthread_cond_signal(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct gptoss_pool *
gptoss_pool_new(uint32_t nthreads)
{
	struct gptoss_pool *p = xcalloc(1, sizeof *p);
	struct worker_arg *wa;
	uint32_t i;

	p->nthreads = nthreads ? nthreads : 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	atomic_init(&p->next, 0);
	p->threads = xcalloc(p->nthreads, sizeof *p->threads);
	for (i = 1; i < p->nthreads; i++) {
		wa = xmalloc(sizeof *wa);
		wa->pool = p;
		wa->id = i;
		if (pthread_create(&p->threads[i - 1], NULL, worker, wa) != 0) {
			/* Fewer threads still give the same results. */
			free(wa);
			p->nthreads = i;
			break;
		}
	}
	return p;
}

void
gptoss_pool_free(struct gptoss_pool *p)
{
	uint32_t i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (i = 1; i < p->nthreads; i++)
		pthread_join(p->threads[i - 1], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_done);
	free(p->threads);
	free(p);
}

uint32_t
gptoss_pool_size(const struct gptoss_pool *p)
{
	return p->nthreads;
}

void
gptoss_pool_run(struct gptoss_pool *p, gptoss_task_fn fn, void *arg,
    uint32_t ntasks)
{
	uint32_t t;

	if (p->nthreads == 1 || ntasks <= 1) {
		for (t = 0; t < ntasks; t++)
			fn(arg, t, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn;
	p->arg = arg;
	p->ntasks = ntasks;
	atomic_store(&p->next, 0);
	p->active = p->nthreads - 1;
	p->generation++;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	drain(p, 0);
	pthread_mutex_lock(&p->mu);
	while (p->active > 0)
		pthread_cond_wait(&p->cv_done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}
