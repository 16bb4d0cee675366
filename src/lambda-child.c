/*
 * lambda-child.c: one invocation in a forked child, under the deadline.
 *
 * The loop keeps nothing of the child but what the pipe carried: the last
 * step it reached and its outcome. A child that dies (a signal, an exit
 * without an outcome) or is still running MARGIN_MS before the deadline is
 * answered with an error naming that step, and the loop goes on.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "src/lambda.h"

/* Bytes the child may send: the outcome and its step lines. */
#define LAMBDA_PIPE_MAX (LAMBDA_PAYLOAD_MAX + 64 * 1024)

/* What the loop heard from the child. */
struct lambda_heard {
	struct buf in;	 /* bytes not yet a whole line */
	char step[64];	 /* the last step; "start" before any */
	cJSON *outcome;	 /* the outcome line, parsed, or NULL */
	int too_large;	 /* the child sent more than LAMBDA_PIPE_MAX */
	size_t received; /* bytes */
};

long long
lambda_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* One whole line from the child. */
static void
lambda_line(struct lambda_heard *h, char *line)
{
	if (strncmp(line, "step ", 5) == 0)
		snprintf(h->step, sizeof h->step, "%s", line + 5);
	else if (strncmp(line, "outcome ", 8) == 0 && h->outcome == NULL)
		h->outcome = cJSON_Parse(line + 8);
}

/* Takes the whole lines out of H->in. */
static void
lambda_lines(struct lambda_heard *h)
{
	char *start = h->in.data, *nl;
	size_t used;

	while ((nl = memchr(start, '\n', h->in.len - (start - h->in.data))) !=
	    NULL) {
		*nl = '\0';
		lambda_line(h, start);
		start = nl + 1;
	}
	used = start - h->in.data;
	memmove(h->in.data, start, h->in.len - used);
	h->in.len -= used;
	h->in.data[h->in.len] = '\0';
}

/* Reads what is there; 0 at the end of the pipe, 1 to go on. */
static int
lambda_read(int fd, struct lambda_heard *h)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	h->received += (size_t)n;
	if (h->received > LAMBDA_PIPE_MAX) {
		h->too_large = 1;
		return 0;
	}
	buf_append(&h->in, chunk, (size_t)n);
	lambda_lines(h);
	return 1;
}

/*
 * Listens to the child until the pipe ends or STOP_MS (Unix ms) comes.
 * Returns 1 when the pipe ended, 0 when the time ran out.
 */
static int
lambda_listen(int fd, struct lambda_heard *h, long long stop_ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	long long left;
	int rc;

	for (;;) {
		left = stop_ms - lambda_now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (rc < 0 && errno != EINTR)
			return 1;
		if (rc > 0 && !lambda_read(fd, h))
			return !h->too_large;
	}
}

/* Waits for PID until STOP_MS, then kills it. Returns its wait status. */
static int
lambda_reap(pid_t pid, long long stop_ms, int *killed)
{
	int status = 0;

	*killed = 0;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (lambda_now_ms() >= stop_ms) {
			kill(pid, SIGKILL);
			*killed = 1;
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		usleep(5000);
	}
	return status;
}

/* The child: never returns. */
static void
lambda_child(const struct lambda_inv *inv, int fd)
{
	FILE *out = fdopen(fd, "w");

	signal(SIGPIPE, SIG_DFL);
	if (out == NULL)
		_exit(1);
	if (inv->trace_id != NULL)
		setenv("_X_AMZN_TRACE_ID", inv->trace_id, 1);
	lambda_event_handle(inv, out);
	fflush(out);
	fflush(stdout);
	fflush(stderr);
	_exit(0);
}

/* The outcome when the child gave none: why, at which step. */
static cJSON *
lambda_failed(const struct lambda_inv *inv, const struct lambda_heard *h,
    int status, int stopped, long long margin_ms)
{
	char *msg;
	cJSON *o;

	if (stopped && inv->kind == LAMBDA_HTTP) {
		msg = xasprintf("stopped %lld ms before the deadline at step "
				"'%s'",
		    margin_ms, h->step);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "error", "Deadline reached");
		cJSON_AddStringToObject(o, "error_type", "DeadlineExceeded");
		cJSON_AddStringToObject(o, "message", msg);
		free(msg);
		return lambda_http_outcome(504, o);
	}
	if (stopped)
		msg = xasprintf("stopped %lld ms before the deadline at step "
				"'%s'; give the function a longer timeout",
		    margin_ms, h->step);
	else if (h->too_large)
		msg = xasprintf(
		    "the answer is larger than %d bytes (step '%s')",
		    LAMBDA_PAYLOAD_MAX, h->step);
	else if (WIFSIGNALED(status))
		msg = xasprintf("the handler died of signal %d (%s) at step "
				"'%s'",
		    WTERMSIG(status), strsignal(WTERMSIG(status)), h->step);
	else
		msg = xasprintf("the handler exited with status %d and no "
				"answer at step '%s'",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1, h->step);
	o = lambda_error_outcome(stopped ? "DeadlineExceeded" :
		h->too_large		 ? "ResponseTooLarge" :
					   "HandlerCrashed",
	    msg);
	free(msg);
	return o;
}

cJSON *
lambda_child_run(const struct lambda_inv *inv, long long margin_ms)
{
	struct lambda_heard h;
	long long stop_ms = inv->deadline_ms - margin_ms;
	int fds[2], ended, status, killed;
	pid_t pid;
	cJSON *o;

	memset(&h, 0, sizeof h);
	buf_init(&h.in, LAMBDA_PIPE_MAX);
	snprintf(h.step, sizeof h.step, "%s", "start");
	if (pipe(fds) != 0)
		return lambda_error_outcome("HandlerCrashed",
		    "cannot make a pipe for the handler");
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return lambda_error_outcome("HandlerCrashed",
		    "cannot start the handler (fork failed)");
	}
	if (pid == 0) {
		close(fds[0]);
		lambda_child(inv, fds[1]);
	}
	close(fds[1]);
	ended = lambda_listen(fds[0], &h, stop_ms);
	close(fds[0]);
	status = lambda_reap(pid, ended ? stop_ms : 0, &killed);
	if (h.outcome != NULL && !killed && !h.too_large) {
		buf_free(&h.in);
		return h.outcome;
	}
	o = lambda_failed(inv, &h, status, !h.too_large && (!ended || killed),
	    margin_ms);
	cJSON_Delete(h.outcome);
	buf_free(&h.in);
	return o;
}
