/*
 * fake-http.c: see fake-http.h.
 */
#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "tests/fake-http.h"

#define REQUEST_MARK "=== request\n"

static int
listen_loopback(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int
fake_closed_port(void)
{
	int port = 0, fd = listen_loopback(&port);

	if (fd >= 0)
		close(fd);
	return port;
}

static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0 && (w = write(fd, p, n)) > 0) {
		p += w;
		n -= (size_t)w;
	}
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Reads one request (head + Content-Length body) and logs it. */
static void
read_request(int c, int log)
{
	struct buf b;
	char chunk[8192], *end, *cl;
	size_t want = 0;
	ssize_t r;

	buf_init(&b, 64u << 20);
	while ((r = read(c, chunk, sizeof chunk)) > 0) {
		buf_append(&b, chunk, (size_t)r);
		end = strstr(b.data, "\r\n\r\n");
		if (end == NULL)
			continue;
		if (want == 0) {
			cl = strcasestr(b.data, "\r\ncontent-length:");
			want = (size_t)(end + 4 - b.data);
			if (cl != NULL && cl < end)
				want += strtoul(cl + 17, NULL, 10);
		}
		if (b.len >= want)
			break;
	}
	write_all(log, REQUEST_MARK, strlen(REQUEST_MARK));
	if (b.data != NULL)
		write_all(log, b.data, b.len);
	write_all(log, "\n", 1);
	buf_free(&b);
}

static void
serve(int fd, int log, const struct fake_response *script, const size_t *lens,
    size_t n)
{
	size_t i;

	alarm(60); /* never outlive a broken test */
	for (i = 0; i < n; i++) {
		const struct fake_response *r = &script[i];
		const char *body = r->body ? r->body : "";
		size_t blen = lens && lens[i] ? lens[i] : strlen(body);
		size_t half = blen / 2;
		char *head;
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			_exit(1);
		read_request(c, log);
		head = xasprintf("HTTP/1.1 %d Fake\r\nContent-Length: %zu\r\n"
				 "Connection: close\r\n%s\r\n",
		    r->status, blen, r->headers ? r->headers : "");
		write_all(c, head, strlen(head));
		free(head);
		write_all(c, body, half);
		if (r->stall_ms > 0)
			sleep_ms(r->stall_ms);
		write_all(c, body + half, blen - half);
		shutdown(c, SHUT_WR);
		while (read(c, &head, 1) > 0)
			;
		close(c);
	}
	_exit(0);
}

int
fake_server_start(struct fake_server *s, const struct fake_response *script,
    size_t n)
{
	return fake_server_start_bin(s, script, NULL, n);
}

int
fake_server_start_bin(struct fake_server *s, const struct fake_response *script,
    const size_t *lens, size_t n)
{
	int fd, log;

	snprintf(s->log_path, sizeof s->log_path, "/tmp/fake-http-XXXXXX");
	if ((log = mkstemp(s->log_path)) < 0)
		return -1;
	if ((fd = listen_loopback(&s->port)) < 0) {
		close(log);
		return -1;
	}
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0)
		serve(fd, log, script, lens, n);
	close(fd);
	close(log);
	return 0;
}

void
fake_server_stop(struct fake_server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	unlink(s->log_path);
}

char *
fake_server_log(const struct fake_server *s)
{
	FILE *f = fopen(s->log_path, "rb");
	struct buf b;
	char chunk[4096];
	size_t r;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	if (f == NULL)
		return buf_take(&b);
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, r);
	fclose(f);
	return buf_take(&b);
}

int
fake_server_count(const struct fake_server *s)
{
	char *log = fake_server_log(s), *p = log;
	int n = 0;

	while ((p = strstr(p, REQUEST_MARK)) != NULL) {
		n++;
		p += strlen(REQUEST_MARK);
	}
	free(log);
	return n;
}
