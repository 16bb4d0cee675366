/*
 * safetensors.c: parse and mmap safetensors shards.
 *
 * Format (huggingface/safetensors README): a little-endian u64 header
 * length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets"}},
 * then the data area; offsets are relative to the data area. The header is
 * bounded by GPTOSS_ST_HEADER_MAX and every range is checked against the
 * file before any tensor is used.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"
#include "model/gptoss/gptoss-impl.h"

static const struct {
	const char *name;
	unsigned size;
} dtypes[GPTOSS_DT_COUNT] = {
	[GPTOSS_DT_BOOL] = { "BOOL", 1 },
	[GPTOSS_DT_U8] = { "U8", 1 },
	[GPTOSS_DT_I8] = { "I8", 1 },
	[GPTOSS_DT_F8_E5M2] = { "F8_E5M2", 1 },
	[GPTOSS_DT_F8_E4M3] = { "F8_E4M3", 1 },
	[GPTOSS_DT_I16] = { "I16", 2 },
	[GPTOSS_DT_U16] = { "U16", 2 },
	[GPTOSS_DT_F16] = { "F16", 2 },
	[GPTOSS_DT_BF16] = { "BF16", 2 },
	[GPTOSS_DT_I32] = { "I32", 4 },
	[GPTOSS_DT_U32] = { "U32", 4 },
	[GPTOSS_DT_F32] = { "F32", 4 },
	[GPTOSS_DT_F64] = { "F64", 8 },
	[GPTOSS_DT_I64] = { "I64", 8 },
	[GPTOSS_DT_U64] = { "U64", 8 },
};

void
gptoss_set_err(char **err_out, const char *fmt, ...)
{
	va_list ap;

	if (err_out == NULL)
		return;
	free(*err_out);
	va_start(ap, fmt);
	*err_out = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *
gptoss_dtype_name(enum gptoss_dtype dt)
{
	return dt < GPTOSS_DT_COUNT ? dtypes[dt].name : "?";
}

static int
dtype_parse(const char *s, enum gptoss_dtype *out)
{
	int i;

	for (i = 0; i < GPTOSS_DT_COUNT; i++) {
		if (strcmp(dtypes[i].name, s) == 0) {
			*out = (enum gptoss_dtype)i;
			return 0;
		}
	}
	return -1;
}

/* A JSON number that is a non-negative integer below 2^53, or -1. */
static int
json_u64(const cJSON *j, uint64_t *out)
{
	double v;

	if (!cJSON_IsNumber(j))
		return -1;
	v = j->valuedouble;
	if (!(v >= 0 && v < 9007199254740992.0) || v != (double)(uint64_t)v)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int
cmp_tensor(const void *a, const void *b)
{
	return strcmp(((const struct gptoss_st_tensor *)a)->name,
	    ((const struct gptoss_st_tensor *)b)->name);
}

/* Fills T from the JSON entry E; returns a static reason or NULL. */
static const char *
parse_entry(const cJSON *e, uint64_t data_len, struct gptoss_st_tensor *t)
{
	const cJSON *dt, *shape, *offs, *d;
	uint64_t n = 1, bytes, v;

	dt = cJSON_GetObjectItemCaseSensitive(e, "dtype");
	shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
	offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
	if (!cJSON_IsObject(e) || !cJSON_IsString(dt) ||
	    !cJSON_IsArray(shape) || !cJSON_IsArray(offs))
		return "needs dtype, shape and data_offsets";
	if (dtype_parse(dt->valuestring, &t->dtype) != 0)
		return "has an unknown dtype";
	if (cJSON_GetArraySize(shape) > GPTOSS_ST_MAX_DIMS)
		return "has too many dimensions";
	t->ndim = 0;
	cJSON_ArrayForEach(d, shape) {
		if (json_u64(d, &v) != 0)
			return "has a bad shape";
		if (v != 0 && n > UINT64_MAX / v)
			return "has a shape that overflows";
		n *= v;
		t->shape[t->ndim++] = v;
	}
	if (cJSON_GetArraySize(offs) != 2 ||
	    json_u64(cJSON_GetArrayItem(offs, 0), &t->begin) != 0 ||
	    json_u64(cJSON_GetArrayItem(offs, 1), &t->end) != 0 ||
	    t->begin > t->end)
		return "has bad data_offsets";
	if (n > UINT64_MAX / dtypes[t->dtype].size)
		return "has a shape that overflows";
	bytes = n * dtypes[t->dtype].size;
	if (t->end - t->begin != bytes)
		return "has data_offsets that do not match its shape";
	if (t->end > data_len)
		return "lies past the end of the file";
	return NULL;
}

void
gptoss_st_tensors_free(struct gptoss_st_tensor *t, size_t n)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < n; i++)
		free(t[i].name);
	free(t);
}

enum gptoss_status
gptoss_st_parse_header(const char *name, const char *json, size_t len,
    uint64_t data_len, struct gptoss_st_tensor **tensors_out, size_t *n_out,
    char **err_out)
{
	enum gptoss_status st = GPTOSS_ERR_FORMAT;
	struct gptoss_st_tensor *t = NULL;
	cJSON *root = NULL;
	const cJSON *e;
	const char *why;
	size_t n = 0, cap, i;

	if (len > GPTOSS_ST_HEADER_MAX) {
		gptoss_set_err(err_out,
		    "%s: header of %zu bytes is over the "
		    "limit of %u",
		    name, len, GPTOSS_ST_HEADER_MAX);
		return GPTOSS_ERR_TOO_LARGE;
	}
	root = cJSON_ParseWithLength(json, len);
	if (!cJSON_IsObject(root)) {
		gptoss_set_err(err_out, "%s: header is not a JSON object",
		    name);
		goto cleanup;
	}
	cap = (size_t)cJSON_GetArraySize(root);
	t = xcalloc(cap ? cap : 1, sizeof *t);
	cJSON_ArrayForEach(e, root) {
		if (e->string == NULL) {
			gptoss_set_err(err_out,
			    "%s: header entry without a "
			    "name",
			    name);
			goto cleanup;
		}
		if (strcmp(e->string, "__metadata__") == 0)
			continue;
		if ((why = parse_entry(e, data_len, &t[n])) != NULL) {
			gptoss_set_err(err_out, "%s: tensor '%.200s' %s", name,
			    e->string, why);
			goto cleanup;
		}
		t[n++].name = xstrdup(e->string);
	}
	qsort(t, n, sizeof *t, cmp_tensor);
	for (i = 1; i < n; i++) {
		if (strcmp(t[i - 1].name, t[i].name) == 0) {
			gptoss_set_err(err_out,
			    "%s: tensor '%.200s' appears "
			    "twice",
			    name, t[i].name);
			goto cleanup;
		}
	}
	*tensors_out = t;
	*n_out = n;
	t = NULL;
	st = GPTOSS_OK;
cleanup:
	gptoss_st_tensors_free(t, n);
	cJSON_Delete(root);
	return st;
}

void
gptoss_st_close(struct gptoss_st_file *f)
{
	if (f == NULL)
		return;
	if (f->map != NULL)
		munmap(f->map, f->size);
	if (f->fd >= 0)
		close(f->fd);
	gptoss_st_tensors_free(f->tensors, f->n);
	free(f->path);
	free(f);
}

enum gptoss_status
gptoss_st_open(const char *path, struct gptoss_st_file **file_out,
    char **err_out)
{
	enum gptoss_status st = GPTOSS_ERR_FORMAT;
	struct gptoss_st_file *f;
	struct stat sb;
	uint64_t hlen = 0;
	int i;

	f = xcalloc(1, sizeof *f);
	f->fd = -1;
	f->path = xstrdup(path);
	if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(f->fd, &sb) != 0) {
		gptoss_set_err(err_out, "%s: %s", path, strerror(errno));
		st = GPTOSS_ERR_IO;
		goto cleanup;
	}
	f->size = (uint64_t)sb.st_size;
	if (!S_ISREG(sb.st_mode) || f->size < 8) {
		gptoss_set_err(err_out,
		    "%s: not a safetensors file (too "
		    "short)",
		    path);
		goto cleanup;
	}
	f->map = mmap(NULL, f->size, PROT_READ, MAP_SHARED, f->fd, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		gptoss_set_err(err_out, "%s: mmap: %s", path, strerror(errno));
		st = GPTOSS_ERR_IO;
		goto cleanup;
	}
	for (i = 7; i >= 0; i--)
		hlen = hlen << 8 | f->map[i];
	if (hlen > GPTOSS_ST_HEADER_MAX) {
		gptoss_set_err(err_out,
		    "%s: header of %llu bytes is over the "
		    "limit of %u",
		    path, (unsigned long long)hlen, GPTOSS_ST_HEADER_MAX);
		st = GPTOSS_ERR_TOO_LARGE;
		goto cleanup;
	}
	if (hlen > f->size - 8) {
		gptoss_set_err(err_out,
		    "%s: file is shorter (%llu bytes) "
		    "than its header says",
		    path, (unsigned long long)f->size);
		goto cleanup;
	}
	f->data = f->map + 8 + hlen;
	st = gptoss_st_parse_header(path, (const char *)f->map + 8, hlen,
	    f->size - 8 - hlen, &f->tensors, &f->n, err_out);
	if (st != GPTOSS_OK)
		goto cleanup;
	*file_out = f;
	f = NULL;
cleanup:
	gptoss_st_close(f);
	return st;
}

const struct gptoss_st_tensor *
gptoss_st_find(const struct gptoss_st_file *f, const char *name)
{
	struct gptoss_st_tensor key;

	key.name = (char *)name;
	return bsearch(&key, f->tensors, f->n, sizeof key, cmp_tensor);
}
