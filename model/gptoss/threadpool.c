/*
 * threadpool.c: one pool of pthreads for the engine.
 *
 * gptoss_pool_run publishes a job (function, argument, task count) under a
 * new generation number; workers and the calling thread claim tasks with an
 * atomic counter tagged with the generation, and the caller waits until
 * every task has finished (not for workers that never woke: on a shared
 * machine the caller then simply does the work).
 * Which thread runs a task never changes a result: tasks write disjoint
 * outputs.
 */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"

struct gptoss_pool {
	uint32_t nthreads;
	pthread_t *threads; /* [nthreads - 1] */
	pthread_mutex_t mu;
	pthread_cond_t cv_work;
	uint32_t generation; /* of the job published last */
	int quit;
	gptoss_task_fn fn;
	void *arg;
	uint32_t ntasks;
	/* generation << 32 | next task: a claim succeeds only for the job
	 * the claimer read, so a late worker never runs a stale task. */
	_Atomic uint64_t claim;
	atomic_uint done; /* tasks of the current job finished */
};

struct worker_arg {
	struct gptoss_pool *pool;
	uint32_t id;
};

/* Runs tasks of job GEN until none is left. */
static void
drain(struct gptoss_pool *p, uint32_t gen, gptoss_task_fn fn, void *arg,
    uint32_t ntasks, uint32_t thread)
{
	uint64_t v;

	v = atomic_load(&p->claim);
	for (;;) {
		if ((uint32_t)(v >> 32) != gen || (uint32_t)v >= ntasks)
			return;
		if (!atomic_compare_exchange_weak(&p->claim, &v, v + 1))
			continue;
		fn(arg, (uint32_t)v, thread);
		atomic_fetch_add(&p->done, 1);
		v = atomic_load(&p->claim);
	}
}

static void *
worker(void *v)
{
	struct worker_arg *wa = v;
	struct gptoss_pool *p = wa->pool;
	uint32_t id = wa->id, seen = 0, gen, ntasks;
	gptoss_task_fn fn;
	void *arg;

	free(wa);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->quit && p->generation == seen)
			pthread_cond_wait(&p->cv_work, &p->mu);
		if (p->quit)
			break;
		seen = gen = p->generation;
		fn = p->fn;
		arg = p->arg;
		ntasks = p->ntasks;
		pthread_mutex_unlock(&p->mu);
		drain(p, gen, fn, arg, ntasks, id);
		pthread_mutex_lock(&p->mu);
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
	atomic_init(&p->claim, 0);
	atomic_init(&p->done, 0);
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
	uint32_t t, gen, spins = 0;

	if (p->nthreads == 1 || ntasks <= 1) {
		for (t = 0; t < ntasks; t++)
			fn(arg, t, 0);
		return;
	}
	pthread_mutex_lock(&p->mu);
	gen = ++p->generation;
	p->fn = fn;
	p->arg = arg;
	p->ntasks = ntasks;
	atomic_store(&p->done, 0);
	atomic_store(&p->claim, (uint64_t)gen << 32);
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	drain(p, gen, fn, arg, ntasks, 0);
	/* Only tasks already claimed are left; a worker that has not woken
	 * yet is not waited for. */
	while (atomic_load(&p->done) < ntasks) {
		if (++spins > 1000)
			sched_yield();
	}
}
