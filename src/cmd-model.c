/*
 * cmd-model.c: stockagent model SUBCOMMAND: tools for the local gpt-oss
 * engine. Subcommands are a const table of entries (cmd-model.h); add a
 * row to add one. Their usage and help live in their entries only:
 * 'stockagent help model' lists them from the table.
 *
 * Here: tokenize, detokenize and render, and the tokenizer loading and
 * decoding cmd-model-engine.c shares. FILE is a tokenizer.json, a
 * .tiktoken ranks file or a model directory; without --tokenizer,
 * $STOCKAGENT_TOKENIZER, then a "local:DIR" model setting, are used.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/exitcode.h"
#include "lib/log.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"
#include "model/gptoss/tokenizer.h"
#include "src/cmd-model.h"
#include "src/cmd.h"

/* Largest text or JSON read from a file or stdin. */
#define MODEL_MAX_INPUT ((size_t)64 << 20)

/* Reads PATH ("-" for stdin) whole; NULL with a message on failure. */
static char *
model_read(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct buf b;
	char chunk[65536];
	size_t n;

	if (f == NULL) {
		log_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b, MODEL_MAX_INPUT);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			log_error("%s: larger than %zu MiB", path,
			    MODEL_MAX_INPUT >> 20);
			buf_free(&b);
			b.data = NULL;
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	if (b.data == NULL && b.len == 0)
		buf_append(&b, "", 0);
	*len = b.len;
	return buf_take(&b);
}

int
cmd_model_tokenizer_load(const char *path, struct gptoss_tokenizer **tok_out,
    char **cause)
{
	*tok_out = NULL;
	/* On failure the loader's detail names the file and the problem. */
	return gptoss_tokenizer_load(path, tok_out, cause) == GPTOSS_OK ? 0 :
									  -1;
}

int
cmd_model_decode(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    size_t n, char **text_out, size_t *len_out, char **cause)
{
	size_t len = 0, bad = 0;

	*text_out = NULL;
	if (gptoss_tokenizer_decode(tok, ids, n, text_out, &len, &bad) !=
	    GPTOSS_OK) {
		*cause = xasprintf("token id %u is out of range (vocabulary "
				   "has %u ids)",
		    ids[bad], gptoss_tokenizer_vocab_size(tok));
		return -1;
	}
	if (len_out != NULL)
		*len_out = len;
	return 0;
}

/* Loads the tokenizer named by PATH or the defaults. */
static struct gptoss_tokenizer *
model_tokenizer(struct cmd_ctx *ctx, const char *path)
{
	struct gptoss_tokenizer *tok = NULL;
	const char *model;
	char *cause = NULL;

	if (path == NULL)
		path = getenv("STOCKAGENT_TOKENIZER");
	if (path == NULL && ctx->settings != NULL &&
	    (model = settings_string(ctx->settings, "model")) != NULL &&
	    strncmp(model, "local:", 6) == 0)
		path = model + 6;
	if (path == NULL) {
		cmd_usage_error(&cmd_model_entry,
		    "no tokenizer: give "
		    "--tokenizer FILE (tokenizer.json, .tiktoken or a model "
		    "directory)");
		return NULL;
	}
	if (cmd_model_tokenizer_load(path, &tok, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		return NULL;
	}
	return tok;
}

static void
model_print_ids(const uint32_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%s%u", i ? " " : "", ids[i]);
	printf("\n");
}

static const struct option model_tok_opts[] = {
	{ "tokenizer", required_argument, NULL, 't' },
	{ "special", no_argument, NULL, 's' },
	{ "tools", required_argument, NULL, 'T' },
	{ "reasoning", required_argument, NULL, 'r' },
	{ "date", required_argument, NULL, 'd' },
	{ NULL, 0, NULL, 0 },
};

/* Options shared by the subcommands. */
struct model_opts {
	const char *tokenizer, *tools, *reasoning, *date;
	int special;
};

static int
model_getopt(int argc, char **argv, struct model_opts *o)
{
	int c;

	memset(o, 0, sizeof *o);
	optind = 1;
	while ((c = cmd_getopt(&cmd_model_entry, argc, argv,
		    "t:sT:r:d:", model_tok_opts)) != -1) {
		switch (c) {
		case 't':
			o->tokenizer = optarg;
			break;
		case 's':
			o->special = 1;
			break;
		case 'T':
			o->tools = optarg;
			break;
		case 'r':
			o->reasoning = optarg;
			break;
		case 'd':
			o->date = optarg;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

static int
model_tokenize(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct model_opts o;
	struct gptoss_tokenizer *tok = NULL;
	char *text = NULL;
	uint32_t *ids = NULL;
	size_t len = 0, n = 0;
	int rc = EXIT_USAGE;

	if (model_getopt(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_model_entry,
		    "tokenize takes one "
		    "TEXT (or - for stdin)");
	if ((tok = model_tokenizer(ctx, o.tokenizer)) == NULL)
		goto cleanup;
	if (strcmp(argv[optind], "-") == 0) {
		if ((text = model_read("-", &len)) == NULL)
			goto cleanup;
	} else {
		text = xstrdup(argv[optind]);
		len = strlen(text);
	}
	gptoss_tokenizer_encode(tok, text, len,
	    o.special ? GPTOSS_ENCODE_ALLOW_SPECIAL : 0, &ids, &n);
	model_print_ids(ids, n);
	rc = EXIT_OK;
cleanup:
	free(ids);
	free(text);
	gptoss_tokenizer_free(tok);
	return rc;
}

/* Parses ids from WORDS (separated by spaces, commas or brackets). */
static int
model_parse_ids(const char *words, uint32_t **ids, size_t *n, size_t *cap)
{
	const char *p = words;
	char *end;
	unsigned long v;

	for (;;) {
		p += strspn(p, " \t\r\n,[]");
		if (*p == '\0')
			return 0;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (end == p || errno != 0 || v > UINT32_MAX || *p == '-' ||
		    (*end != '\0' && strchr(" \t\r\n,[]", *end) == NULL)) {
			cmd_usage_error(&cmd_model_entry,
			    "'%.*s' is not a "
			    "token id",
			    (int)strcspn(p, " \t\r\n,"), p);
			return -1;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			*ids = xreallocarray(*ids, *cap, sizeof **ids);
		}
		(*ids)[(*n)++] = (uint32_t)v;
		p = end;
	}
}

static int
model_detokenize(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct model_opts o;
	struct gptoss_tokenizer *tok = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, cap = 0, len;
	char *text = NULL, *in = NULL, *cause = NULL;
	int i, rc = EXIT_USAGE;

	if (model_getopt(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (optind >= argc)
		return cmd_usage_error(&cmd_model_entry,
		    "detokenize needs "
		    "IDS (or - for stdin)");
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			if ((in = model_read("-", &len)) == NULL ||
			    model_parse_ids(in, &ids, &n, &cap) != 0)
				goto cleanup;
		} else if (model_parse_ids(argv[i], &ids, &n, &cap) != 0)
			goto cleanup;
	}
	if ((tok = model_tokenizer(ctx, o.tokenizer)) == NULL)
		goto cleanup;
	if (cmd_model_decode(tok, ids, n, &text, &len, &cause) != 0) {
		log_error("%s", cause);
		free(cause);
		goto cleanup;
	}
	fwrite(text, 1, len, stdout);
	if (len == 0 || text[len - 1] != '\n')
		putchar('\n');
	rc = EXIT_OK;
cleanup:
	free(text);
	free(in);
	free(ids);
	gptoss_tokenizer_free(tok);
	return rc;
}

/* Reads a JSON file; NULL with a message on failure. */
static cJSON *
model_read_json(const char *path)
{
	size_t len;
	char *text = model_read(path, &len);
	cJSON *json = NULL;

	if (text == NULL)
		return NULL;
	if ((json = cJSON_ParseWithLength(text, len)) == NULL)
		log_error("%s: not valid JSON", path);
	free(text);
	return json;
}

/* The first message with ROLE in MSGS, or NULL. */
static cJSON *
model_find_role(cJSON *msgs, const char *role)
{
	cJSON *m;

	cJSON_ArrayForEach(m, msgs) {
		if (strcmp(
			cJSON_GetStringValue(cJSON_GetObjectItem(m, "role")) ?:
									       "",
			role) == 0)
			return m;
	}
	return NULL;
}

static void
model_set(cJSON *obj, const char *key, cJSON *value)
{
	if (cJSON_HasObjectItem(obj, key))
		cJSON_ReplaceItemInObject(obj, key, value);
	else
		cJSON_AddItemToObject(obj, key, value);
}

/*
 * Inserts ITEM at index AT of ARRAY by rebuilding it (cJSON 1.7.15's
 * cJSON_InsertItemInArray corrupts the list when inserting at 0).
 */
static void
model_insert(cJSON *array, int at, cJSON *item)
{
	cJSON *tmp = cJSON_CreateArray(), *m;
	int i = 0;

	while ((m = cJSON_DetachItemFromArray(array, 0)) != NULL)
		cJSON_AddItemToArray(tmp, m);
	while ((m = cJSON_DetachItemFromArray(tmp, 0)) != NULL) {
		if (i++ == at)
			cJSON_AddItemToArray(array, item), item = NULL;
		cJSON_AddItemToArray(array, m);
	}
	if (item != NULL)
		cJSON_AddItemToArray(array, item);
	cJSON_Delete(tmp);
}

/*
 * Applies --reasoning, --date and --tools to the messages in CONV: a
 * system message is added if there is none, the tools go to the developer
 * message (added after the system message if needed).
 */
static int
model_apply_opts(cJSON *msgs, const struct model_opts *o)
{
	cJSON *sys = model_find_role(msgs, "system"), *dev, *tools = NULL;

	if (o->tools != NULL) {
		if ((tools = model_read_json(o->tools)) == NULL)
			return -1;
		if (cJSON_IsObject(tools) &&
		    cJSON_HasObjectItem(tools, "tools")) {
			dev = tools;
			tools = cJSON_DetachItemFromObject(dev, "tools");
			cJSON_Delete(dev);
		}
		if (!cJSON_IsArray(tools)) {
			log_error("%s: expected a list of "
				  "tools",
			    o->tools);
			cJSON_Delete(tools);
			return -1;
		}
	}
	if (sys == NULL) {
		sys = cJSON_CreateObject();
		cJSON_AddStringToObject(sys, "role", "system");
		model_insert(msgs, 0, sys);
	}
	if (o->reasoning != NULL)
		model_set(sys, "reasoning", cJSON_CreateString(o->reasoning));
	if (o->date != NULL)
		model_set(sys, "current_date", cJSON_CreateString(o->date));
	if (tools == NULL)
		return 0;
	if ((dev = model_find_role(msgs, "developer")) == NULL) {
		dev = cJSON_CreateObject();
		cJSON_AddStringToObject(dev, "role", "developer");
		model_insert(msgs, 1, dev);
	}
	model_set(dev, "tools", tools);
	return 0;
}

static int
model_render(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct model_opts o;
	struct gptoss_tokenizer *tok = NULL;
	struct harmony_conversation *conv = NULL;
	cJSON *json = NULL, *msgs;
	uint32_t *ids = NULL;
	size_t n = 0, len;
	char *detail = NULL, *text = NULL;
	int rc = EXIT_USAGE;

	if (model_getopt(argc, argv, &o) != 0)
		return EXIT_USAGE;
	if (optind + 1 != argc)
		return cmd_usage_error(&cmd_model_entry,
		    "render takes one "
		    "CONVERSATION.json (or - for stdin)");
	if ((tok = model_tokenizer(ctx, o.tokenizer)) == NULL ||
	    (json = model_read_json(argv[optind])) == NULL)
		goto cleanup;
	/* Validate as written, so messages are numbered as in the file. */
	if (harmony_conversation_from_json(json, &conv, &detail) != GPTOSS_OK) {
		log_error("%s: %s", argv[optind], detail);
		goto cleanup;
	}
	harmony_conversation_free(conv);
	conv = NULL;
	msgs = cJSON_IsArray(json) ? json :
				     cJSON_GetObjectItem(json, "messages");
	if (model_apply_opts(msgs, &o) != 0 ||
	    harmony_conversation_from_json(json, &conv, &detail) != GPTOSS_OK) {
		if (detail != NULL)
			log_error("%s: %s", argv[optind], detail);
		goto cleanup;
	}
	if (harmony_render(tok, conv, &ids, &n, &detail) != GPTOSS_OK) {
		log_error("%s", detail);
		goto cleanup;
	}
	gptoss_tokenizer_decode(tok, ids, n, &text, &len, NULL);
	fwrite(text, 1, len, stdout);
	printf("\n");
	model_print_ids(ids, n);
	rc = EXIT_OK;
cleanup:
	free(text);
	free(ids);
	free(detail);
	harmony_conversation_free(conv);
	cJSON_Delete(json);
	gptoss_tokenizer_free(tok);
	return rc;
}

/* The --tokenizer line of tokenize, detokenize and render. */
#define MODEL_TOKENIZER_HELP                                                   \
	"  --tokenizer FILE   a tokenizer.json, an o200k_base.tiktoken or a\n" \
	"                     model directory (default\n"                      \
	"                     $STOCKAGENT_TOKENIZER, then model=local:DIR)\n"

static const struct cmd_arg cmd_model_render_args[] = {
	{ NULL, CMD_VALUE_FILE, NULL },
	{ NULL, CMD_VALUE_NONE, NULL },
};

static const struct cmd_entry cmd_model_tokenize_entry = {
	.name = "model tokenize",
	.usage = "--tokenizer FILE [--special] TEXT|-",
	.summary = "print the token ids of TEXT (- reads stdin)",
	.help = MODEL_TOKENIZER_HELP
	"  --special          read <|start|> and the like as special "
	"tokens\n",
	.exec = model_tokenize,
	.options = model_tok_opts,
};

static const struct cmd_entry cmd_model_detokenize_entry = {
	.name = "model detokenize",
	.usage = "--tokenizer FILE IDS...|-",
	.summary = "print the text of token ids (- reads them from stdin)",
	.help = MODEL_TOKENIZER_HELP,
	.exec = model_detokenize,
	.options = model_tok_opts,
};

static const struct cmd_entry cmd_model_render_entry = {
	.name = "model render",
	.usage = "[--tokenizer FILE] [OPTIONS] CONVERSATION.json|-",
	.summary = "print the harmony prompt of a conversation, then its ids",
	.help = "  --tools FILE.json  functions for the developer message\n"
		"  --reasoning R      low, medium or high\n"
		"  --date YYYY-MM-DD  the system message's current "
		"date\n" MODEL_TOKENIZER_HELP,
	.exec = model_render,
	.options = model_tok_opts,
	.args = cmd_model_render_args,
};

static const struct cmd_entry *const cmd_model_subcommands[] = {
	&cmd_model_tokenize_entry,
	&cmd_model_detokenize_entry,
	&cmd_model_render_entry,
	&cmd_model_info_entry,
	&cmd_model_generate_entry,
	&cmd_model_logits_entry,
	&cmd_model_bench_entry,
	NULL,
};

const struct cmd_entry cmd_model_entry = {
	.name = "model",
	.usage = "SUBCOMMAND [OPTIONS] ARGS",
	.summary = "the local gpt-oss engine: tokenizer, chat format, info, "
		   "generate, logits, bench",
	.help = "",
	.subcommands = cmd_model_subcommands,
};
