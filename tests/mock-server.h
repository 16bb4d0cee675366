/*
 * mock-server.h: a scripted HTTP/1.1 server on 127.0.0.1 for the model
 * backend tests (test code only, included by one test program).
 *
 * mock_start() forks a child that answers one connection per reply in
 * the script, in order, then exits. Each request (request line, headers,
 * body) is appended to a log file the test reads back with mock_requests().
 * A reply can be cut short (the connection closes after cut bytes of the
 * body) or stall (nothing is sent for stall_ms).
 */
#ifndef STOCKAGENT_TESTS_MOCK_SERVER_H
#define STOCKAGENT_TESTS_MOCK_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct mock_reply {
	int status;
	const char *headers; /* extra "Name: value\r\n" lines, or NULL */
	const char *body;
	size_t body_len; /* 0: strlen(body) */
	long cut;	 /* > 0: send only this many body bytes */
	int stall_ms;	 /* wait before answering */
	int chunk;	 /* > 0: write the body in pieces of this size */
};

struct mock_server {
	pid_t pid;
	int port;
	char log[64];
};

static int
mock_read_request(int fd, FILE *log)
{
	char buf[65536], *end;
	size_t have = 0;
	long clen = 0, got;
	ssize_t n;
	char *cl;

	while (have < sizeof buf - 1) {
		if ((n = read(fd, buf + have, sizeof buf - 1 - have)) <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	if (end == NULL)
		return -1;
	for (cl = buf; cl < end; cl++) {
		if (strncasecmp(cl, "\ncontent-length:", 16) == 0) {
			clen = strtol(cl + 16, NULL, 10);
			break;
		}
	}
	fputs("=== REQUEST\n", log);
	fwrite(buf, 1, have, log);
	got = (long)(have - (size_t)(end + 4 - buf));
	while (got < clen) {
		if ((n = read(fd, buf, sizeof buf)) <= 0)
			break;
		fwrite(buf, 1, (size_t)n, log);
		got += n;
	}
	fputs("\n", log);
	fflush(log);
	return 0;
}

static void
mock_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(fd, p, n)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

static void
mock_answer(int fd, const struct mock_reply *r)
{
	size_t len = r->body_len ? r->body_len : strlen(r->body), off, step;
	size_t send = r->cut > 0 && (size_t)r->cut < len ? (size_t)r->cut : len;
	char head[1024];

	if (r->stall_ms > 0)
		usleep((useconds_t)r->stall_ms * 1000);
	snprintf(head, sizeof head,
	    "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n",
	    r->status, len, r->headers != NULL ? r->headers : "");
	mock_write_all(fd, head, strlen(head));
	step = r->chunk > 0 ? (size_t)r->chunk : send;
	for (off = 0; off < send; off += step) {
		mock_write_all(fd, r->body + off,
		    off + step > send ? send - off : step);
		if (r->chunk > 0)
			usleep(2000);
	}
}

/* Starts a server for the N replies; returns 0 or -1. */
static int
mock_start(struct mock_server *s, const struct mock_reply *replies, int n)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof a;
	int fd, c, i, one = 1;
	FILE *log;

	snprintf(s->log, sizeof s->log, "/tmp/mock-model-%d.log",
	    (int)getpid());
	unlink(s->log);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	s->port = ntohs(a.sin_port);
	if ((s->pid = fork()) < 0)
		return -1;
	if (s->pid > 0) {
		close(fd);
		return 0;
	}
	alarm(30);
	signal(SIGPIPE, SIG_IGN);
	log = fopen(s->log, "w");
	for (i = 0; i < n; i++) {
		if ((c = accept(fd, NULL, NULL)) < 0)
			_exit(1);
		mock_read_request(c, log);
		mock_answer(c, &replies[i]);
		close(c);
	}
	fclose(log);
	_exit(0);
}

/* Stops the server; returns the log's text (heap) for checks. */
static char *
mock_stop(struct mock_server *s)
{
	FILE *f;
	char *text;
	long n;

	kill(s->pid, SIGTERM);
	waitpid(s->pid, NULL, 0);
	if ((f = fopen(s->log, "rb")) == NULL)
		return calloc(1, 1);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, f) != (size_t)n)
		text[0] = '\0';
	fclose(f);
	unlink(s->log);
	return text;
}

/* How many requests a log holds. */
static int
mock_count(const char *log)
{
	int n = 0;

	while ((log = strstr(log, "=== REQUEST")) != NULL) {
		n++;
		log++;
	}
	return n;
}

#endif
