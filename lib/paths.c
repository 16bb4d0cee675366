/*
 * paths.c: data-file lookup, directory creation and atomic writes.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	    "stockagent or set STOCKAGENT_DATA_DIR", name, tried.data);
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

int
paths_write_atomic(const char *path, const void *data, size_t len,
    char **cause)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);
	const char *p = data;
	int fd, rc = -1;
	ssize_t w;

	if ((fd = mkstemp(tmp)) == -1) {
		*cause = xasprintf("cannot create %s: %s", path,
		    strerror(errno));
		goto out;
	}
	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			*cause = xasprintf("cannot write %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		*cause = xasprintf("cannot write %s: %s", path,
		    strerror(errno));
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return rc;
}
