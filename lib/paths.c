/*
 * paths.c: data-file lookup, directory creation, atomic and new-file
 * writes.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/paths.h"
#include "lib/xmalloc.h"

static int
paths_readable(const char *p)
{
	return access(p, R_OK) == 0;
}

char *
paths_data_file(const char *name, char **cause)
{
	const char *env = getenv("STOCKAGENT_DATA_DIR");
	const char *dirs[3];
	struct buf tried;
	char *p;
	int i, n = 0;

	if (env != NULL && *env != '\0')
		dirs[n++] = env;
	dirs[n++] = STOCKAGENT_SRCDATADIR;
	dirs[n++] = STOCKAGENT_DATADIR;
	for (i = 0; i < n; i++) {
		p = xasprintf("%s/%s", dirs[i], name);
		if (paths_readable(p))
			return p;
		free(p);
	}
	buf_init(&tried, 0);
	for (i = 0; i < n; i++)
		buf_printf(&tried, "%s%s", i ? ", " : "", dirs[i]);
	*cause = xasprintf("data file %s not found in %s; reinstall "
			   "stockagent or set STOCKAGENT_DATA_DIR",
	    name, tried.data);
	buf_free(&tried);
	return NULL;
}

/* mkdir -p PATH with mode 0755 (0700 when PRIVATE). Returns 0 or -1/cause. */
static int
paths_mkdirs(const char *path, int private_, char **cause)
{
	char *p = xstrdup(path), *s;
	mode_t mode = private_ ? 0700 : 0755;
	struct stat st;
	int rc = 0;

	for (s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create directory %s: %s", p,
			    strerror(errno));
			rc = -1;
		} else if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
			*cause = xasprintf("%s exists and is not a directory",
			    p);
			rc = -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

int
paths_mkdirs_for(const char *file, int private_, char **cause)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/');
	int rc = 0;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = paths_mkdirs(dir, private_, cause);
	}
	free(dir);
	return rc;
}

/*
 * Writes LEN bytes of DATA to a new temporary file beside PATH, named
 * PATH.tmp.PID.XXXXXX so a later writer can tell a dead process's leftover
 * (paths_remove_stale_temps), and fsyncs it. Returns 0 with *tmp_out (heap
 * string, the caller renames or unlinks the file), or -1 with *cause and
 * nothing left behind.
 */
static int
paths_write_temp(const char *path, const void *data, size_t len, char **tmp_out,
    char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld.XXXXXX", path, (long)getpid());
	const char *p = data;
	int fd;
	ssize_t w;

	if ((fd = mkstemp(tmp)) == -1)
		goto fail;
	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	*tmp_out = tmp;
	return 0;
fail:
	*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return -1;
}

int
paths_write_atomic(const char *path, const void *data, size_t len, char **cause)
{
	char *tmp = NULL;
	int rc = -1;

	if (paths_write_temp(path, data, len, &tmp, cause) != 0)
		return -1;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(errno));
		unlink(tmp);
	} else {
		rc = 0;
	}
	free(tmp);
	return rc;
}

/* PATH with "-N" before its extension: "a/b.pdf" -> "a/b-2.pdf". */
static char *
paths_numbered(const char *path, int n)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');

	if (dot == NULL || (slash != NULL && dot < slash) || dot == path)
		return xasprintf("%s-%d", path, n);
	return xasprintf("%.*s-%d%s", (int)(dot - path), path, n, dot);
}

/* Whether NAME exists (as anything, even a dangling link). */
static int
paths_taken(const char *name)
{
	struct stat st;

	return lstat(name, &st) == 0;
}

/* Claims NAME (when CLAIM is given) and links TMP to it: 0 done, 1 the
 * name is taken, -1 failed with *cause. */
static int
paths_take(const char *tmp, const char *name, const void *data, size_t len,
    paths_claim_fn claim, void *arg, char **cause)
{
	if (claim != NULL) {
		if (paths_taken(name))
			return 1;
		if (claim(arg, name, data, len, cause) != 0)
			return -1;
	}
	/* link() never replaces an existing file, as rename() would. */
	if (link(tmp, name) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	*cause = xasprintf("cannot write %s: %s", name, strerror(errno));
	return -1;
}

int
paths_write_new(const char *path, const void *data, size_t len,
    paths_claim_fn claim, void *arg, char **path_out, char **cause)
{
	char *tmp = NULL, *name = NULL;
	int n, taken = 1;

	if (paths_write_temp(path, data, len, &tmp, cause) != 0)
		return -1;
	for (n = 1; n <= PATHS_MAX_NUMBERED && taken == 1; n++) {
		name = n == 1 ? xstrdup(path) : paths_numbered(path, n);
		if ((taken = paths_take(tmp, name, data, len, claim, arg,
			 cause)) == 0)
			*path_out = name;
		else
			free(name);
	}
	if (taken == 1)
		*cause = xasprintf("cannot write %s: %d files of that name "
				   "exist already; move some away",
		    path, PATHS_MAX_NUMBERED);
	unlink(tmp);
	free(tmp);
	return taken == 0 ? 0 : -1;
}

/* Whether the temporary file NAME (BASE.tmp.PID.XXXXXX, or an older
 * BASE.tmp.XXXXXX) was left by a process that is gone. */
static int
paths_temp_is_stale(const char *dir, const char *name)
{
	const char *t = strstr(name, ".tmp.");
	char *end, *full;
	struct stat st;
	long pid;
	int stale = 0;

	if (t == NULL)
		return 0;
	pid = strtol(t + 5, &end, 10);
	if (end != t + 5 && *end == '.' && pid > 0)
		return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
	/* No process id in the name: stale once a day old. */
	full = xasprintf("%s/%s", dir, name);
	if (lstat(full, &st) == 0 && S_ISREG(st.st_mode))
		stale = time(NULL) - st.st_mtime > 24 * 3600;
	free(full);
	return stale;
}

int
paths_remove_stale_temps(const char *dir)
{
	struct dirent *e;
	char *full;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (!paths_temp_is_stale(dir, e->d_name))
			continue;
		full = xasprintf("%s/%s", dir, e->d_name);
		n += unlink(full) == 0;
		free(full);
	}
	closedir(d);
	return n;
}

int
paths_check_dir(const char *dir, size_t extra, char **cause)
{
	const char *p = dir, *end;

	if (strlen(dir) + extra >= PATH_MAX) {
		*cause = xasprintf(
		    "directory '%.60s...' is too long (%zu bytes; "
		    "the file names under it need %zu more of the %d the "
		    "system allows); use a shorter path",
		    dir, strlen(dir), extra, PATH_MAX);
		return -1;
	}
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, "/");
		if ((size_t)(end - p) > NAME_MAX) {
			*cause = xasprintf(
			    "directory '%.60s...' has a name of "
			    "%zu bytes, over the %d the system allows; use "
			    "shorter names",
			    dir, (size_t)(end - p), NAME_MAX);
			return -1;
		}
	}
	return 0;
}
