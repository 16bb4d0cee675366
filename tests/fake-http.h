/*
 * fake-http.h: a scripted HTTP/1.1 server on 127.0.0.1 for tests.
 *
 * A forked child answers one connection per script entry, in order, then
 * exits. Every request it reads (head and body) is appended to a log file
 * the test can read back. Nothing listens beyond 127.0.0.1.
 */
#ifndef STOCKAGENT_TESTS_FAKE_HTTP_H
#define STOCKAGENT_TESTS_FAKE_HTTP_H

#include <stddef.h>
#include <sys/types.h>

struct fake_response {
	int status;
	const char *headers; /* extra "Name: value\r\n" lines, or NULL */
	const char *body;    /* or NULL */
	int stall_ms;	     /* pause after half the body is sent */
};

struct fake_server {
	pid_t pid;
	int port;
	char log_path[64];
};

/* Starts the child; 0 on success. */
int fake_server_start(struct fake_server *s, const struct fake_response *script,
    size_t n);
/* The same with binary bodies: LENS[i] bytes of script[i].body (a length
 * of 0 means strlen). */
int fake_server_start_bin(struct fake_server *s,
    const struct fake_response *script, const size_t *lens, size_t n);
/* Stops the child (if still running) and removes the log. */
void fake_server_stop(struct fake_server *s);
/* The requests seen so far (heap string, "" when none). */
char *fake_server_log(const struct fake_server *s);
/* How many requests the log holds. */
int fake_server_count(const struct fake_server *s);
/* A loopback port where nothing listens (connection refused). */
int fake_closed_port(void);

#endif
