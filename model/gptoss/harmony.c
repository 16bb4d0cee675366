/*
 * harmony.c: rendering a conversation in the harmony format.
 *
 * Mirrors openai/harmony src/encoding.rs: render(message), the system and
 * developer contents, template_tools_section and json_schema_to_typescript
 * (JSON schema to the TypeScript-like signature, properties in document
 * order). The conversation is kept as a validated copy of its JSON.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"

struct harmony_conversation {
	cJSON *messages; /* validated array of message objects */
	int completion;
	int auto_drop;
};

static const char hm_identity[] =
    "You are ChatGPT, a large language model trained by OpenAI.";

static enum gptoss_status hm_fail(char **detail, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum gptoss_status
hm_fail(char **detail, const char *fmt, ...)
{
	va_list ap;

	if (detail != NULL) {
		free(*detail);
		va_start(ap, fmt);
		*detail = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return GPTOSS_ERR_FORMAT;
}

/* The string member KEY of OBJ, or NULL. */
static const char *
hm_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *
hm_get(const cJSON *obj, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* Checks one message; returns 0 or fills *DETAIL. */
static int
hm_check_message(const cJSON *m, int i, char **detail)
{
	static const char *const roles[] = { "system", "developer", "user",
		"assistant", "tool" };
	static const char *const strs[] = { "name", "recipient", "channel",
		"content_type", "content", "model_identity", "knowledge_cutoff",
		"current_date", "instructions" };
	const char *role = hm_str(m, "role");
	const cJSON *v;
	size_t k;

	if (!cJSON_IsObject(m))
		return hm_fail(detail, "messages[%d]: not an object", i), -1;
	for (k = 0; role != NULL && k < 5; k++)
		if (strcmp(role, roles[k]) == 0)
			break;
	if (role == NULL || k == 5)
		return hm_fail(detail,
			   "messages[%d]: \"role\" must be system, "
			   "developer, user, assistant or tool",
			   i),
		       -1;
	for (k = 0; k < sizeof strs / sizeof strs[0]; k++) {
		v = hm_get(m, strs[k]);
		if (v != NULL && !cJSON_IsString(v) && !cJSON_IsNull(v))
			return hm_fail(detail,
				   "messages[%d]: \"%s\" must be "
				   "a string",
				   i, strs[k]),
			       -1;
	}
	if (strcmp(role, "tool") == 0 && hm_str(m, "name") == NULL)
		return hm_fail(detail,
			   "messages[%d]: a tool message needs "
			   "\"name\" (e.g. \"functions.get_weather\")",
			   i),
		       -1;
	v = hm_get(m, "reasoning");
	if (v != NULL && !cJSON_IsNull(v) &&
	    (!cJSON_IsString(v) ||
		(strcmp(v->valuestring, "low") != 0 &&
		    strcmp(v->valuestring, "medium") != 0 &&
		    strcmp(v->valuestring, "high") != 0)))
		return hm_fail(detail,
			   "messages[%d]: \"reasoning\" must be "
			   "low, medium or high",
			   i),
		       -1;
	v = hm_get(m, "channels");
	if (v != NULL && !cJSON_IsArray(v))
		return hm_fail(detail,
			   "messages[%d]: \"channels\" must be a "
			   "list",
			   i),
		       -1;
	v = hm_get(m, "tools");
	if (v != NULL && !cJSON_IsArray(v))
		return hm_fail(detail,
			   "messages[%d]: \"tools\" must be a "
			   "list",
			   i),
		       -1;
	return 0;
}

/* A tool's name/description/parameters object (OpenAI form unwrapped). */
static const cJSON *
hm_tool_fn(const cJSON *tool)
{
	const cJSON *fn = hm_get(tool, "function");

	return cJSON_IsObject(fn) ? fn : tool;
}

static int
hm_check_tools(const cJSON *m, int i, char **detail)
{
	const cJSON *tool, *fn, *params;
	int k = 0;

	cJSON_ArrayForEach(tool, hm_get(m, "tools")) {
		fn = hm_tool_fn(tool);
		params = hm_get(fn, "parameters");
		if (!cJSON_IsObject(tool) || hm_str(fn, "name") == NULL ||
		    hm_str(fn, "name")[0] == '\0')
			return hm_fail(detail,
				   "messages[%d].tools[%d]: needs "
				   "a \"name\"",
				   i, k),
			       -1;
		if (params != NULL && !cJSON_IsObject(params) &&
		    !cJSON_IsNull(params))
			return hm_fail(detail,
				   "messages[%d].tools[%d]: "
				   "\"parameters\" must be a JSON schema "
				   "object",
				   i, k),
			       -1;
		k++;
	}
	return 0;
}

enum gptoss_status
harmony_conversation_from_json(const cJSON *json,
    struct harmony_conversation **conv_out, char **detail_out)
{
	const cJSON *msgs = json, *m, *v;
	struct harmony_conversation *conv;
	int i = 0, completion = 1, drop = 1;

	if (detail_out != NULL)
		*detail_out = NULL;
	if (cJSON_IsObject(json)) {
		msgs = hm_get(json, "messages");
		if ((v = hm_get(json, "completion")) != NULL)
			completion = cJSON_IsTrue(v);
		if ((v = hm_get(json, "auto_drop_analysis")) != NULL)
			drop = cJSON_IsTrue(v);
	}
	if (!cJSON_IsArray(msgs))
		return hm_fail(detail_out,
		    "the conversation needs a "
		    "\"messages\" list");
	cJSON_ArrayForEach(m, msgs) {
		if (hm_check_message(m, i, detail_out) != 0 ||
		    hm_check_tools(m, i, detail_out) != 0)
			return GPTOSS_ERR_FORMAT;
		i++;
	}
	conv = xcalloc(1, sizeof *conv);
	conv->messages = cJSON_Duplicate(msgs, 1);
	conv->completion = completion;
	conv->auto_drop = drop;
	*conv_out = conv;
	return GPTOSS_OK;
}

void
harmony_conversation_free(struct harmony_conversation *conv)
{
	if (conv == NULL)
		return;
	cJSON_Delete(conv->messages);
	free(conv);
}

/* ---- JSON schema to TypeScript ------------------------------------------ */

static void hm_schema_ts(struct buf *b, const cJSON *schema,
    const char *indent);

static int
hm_is_enum(const cJSON *schema)
{
	const cJSON *e = hm_get(schema, "enum");

	return cJSON_IsArray(e) && cJSON_GetArraySize(e) > 0;
}

/* serde_json's Display of V (compact JSON). */
static void
hm_json_value(struct buf *b, const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);

	buf_printf(b, "%s", s);
	cJSON_free(s);
}

/* A default as harmony writes it: quoted for non-enum strings. */
static void
hm_default(struct buf *b, const cJSON *schema, const cJSON *def)
{
	if (cJSON_IsString(def) && !hm_is_enum(schema))
		buf_printf(b, "default: \"%s\"", def->valuestring);
	else if (cJSON_IsString(def))
		buf_printf(b, "default: %s", def->valuestring);
	else {
		buf_printf(b, "default: ");
		hm_json_value(b, def);
	}
}

static int
hm_nullable(const cJSON *schema)
{
	return cJSON_IsTrue(hm_get(schema, "nullable"));
}

/* The type of SCHEMA into a fresh buffer, " | null" added if nullable. */
static char *
hm_type_str(const cJSON *schema, const char *indent)
{
	struct buf t;

	buf_init(&t, 0);
	hm_schema_ts(&t, schema, indent);
	if (t.data == NULL)
		buf_append(&t, "", 0);
	if (hm_nullable(schema) && strstr(t.data, "null") == NULL)
		buf_printf(&t, " | null");
	return buf_take(&t);
}

/* Top-level oneOf. */
static void
hm_one_of(struct buf *b, const cJSON *arr, const char *indent)
{
	const cJSON *v, *desc, *def;
	char *sub = xasprintf("%s   ", indent), *t;
	int first = 1;

	cJSON_ArrayForEach(v, arr) {
		if (!first)
			buf_printf(b, "\n%s | ", indent);
		else
			buf_printf(b, "\n%s | ", indent);
		first = 0;
		t = hm_type_str(v, sub);
		buf_printf(b, "%s", t);
		free(t);
		desc = hm_get(v, "description");
		def = hm_get(v, "default");
		if (cJSON_IsString(desc) || def != NULL) {
			buf_printf(b, " // ");
			if (cJSON_IsString(desc))
				buf_printf(b, "%s%s", desc->valuestring,
				    def != NULL ? " " : "");
			if (def != NULL) {
				if (cJSON_IsString(def) && !hm_is_enum(v))
					buf_printf(b, "default: \"%s\"",
					    def->valuestring);
				else {
					buf_printf(b, "default: ");
					hm_json_value(b, def);
				}
			}
		}
	}
	free(sub);
}

/* A property whose schema has oneOf. */
static void
hm_prop_one_of(struct buf *b, const char *key, const cJSON *val,
    const cJSON *arr, int required, const char *indent)
{
	const char *pdesc = hm_str(val, "description");
	const char *vdesc = hm_str(cJSON_GetArrayItem(arr, 0), "description");
	const cJSON *v, *def = hm_get(val, "default");
	int above = 0, i = 0, any;
	char *sub = xasprintf("%s   ", indent), *t;

	if (pdesc != NULL && !(vdesc != NULL && strcmp(pdesc, vdesc) == 0)) {
		buf_printf(b, "%s// %s\n", indent, pdesc);
		above = 1;
	}
	if (def != NULL) {
		buf_printf(b, "%s// ", indent);
		hm_default(b, val, def);
		buf_printf(b, "\n");
	}
	buf_printf(b, "%s%s%s:\n", indent, key, required ? "" : "?");
	cJSON_ArrayForEach(v, arr) {
		buf_printf(b, "%s | ", indent);
		t = hm_type_str(v, sub);
		buf_printf(b, "%s", t);
		free(t);
		vdesc = hm_str(v, "description");
		any = 0;
		if (!(i == 0 && above) && vdesc != NULL &&
		    (pdesc == NULL || strcmp(vdesc, pdesc) != 0)) {
			buf_printf(b, " // %s", vdesc);
			any = 1;
		}
		if ((def = hm_get(v, "default")) != NULL) {
			buf_printf(b, any ? " " : " // ");
			hm_default(b, v, def);
		}
		buf_printf(b, "\n");
		i++;
	}
	buf_printf(b, "%s,\n", indent);
	free(sub);
}

/* Whether NAME is in SCHEMA's "required" list. */
static int
hm_required(const cJSON *schema, const char *name)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, hm_get(schema, "required")) {
		if (cJSON_IsString(r) && strcmp(r->valuestring, name) == 0)
			return 1;
	}
	return 0;
}

/* Comments above a property: title, description, examples. */
static void
hm_prop_comments(struct buf *b, const cJSON *val, const char *indent)
{
	const char *title = hm_str(val, "title"), *desc;
	const cJSON *ex, *e;

	if (title != NULL)
		buf_printf(b, "%s// %s\n%s//\n", indent, title, indent);
	if (hm_get(val, "oneOf") == NULL &&
	    (desc = hm_str(val, "description")) != NULL)
		buf_printf(b, "%s// %s\n", indent, desc);
	ex = hm_get(val, "examples");
	if (cJSON_IsArray(ex) && cJSON_GetArraySize(ex) > 0) {
		buf_printf(b, "%s// Examples:\n", indent);
		cJSON_ArrayForEach(e, ex) {
			if (cJSON_IsString(e))
				buf_printf(b, "%s// - \"%s\"\n", indent,
				    e->valuestring);
		}
	}
}

static void
hm_object(struct buf *b, const cJSON *schema, const char *indent)
{
	const cJSON *props = hm_get(schema, "properties"), *val, *def;
	const char *desc = hm_str(schema, "description");
	char *sub = xasprintf("%s    ", indent), *t;
	int req;

	if (desc != NULL)
		buf_printf(b, "%s// %s\n", indent, desc);
	buf_printf(b, "{\n");
	if (!cJSON_IsObject(props))
		props = NULL;
	cJSON_ArrayForEach(val, props) {
		req = hm_required(schema, val->string);
		hm_prop_comments(b, val, indent);
		if (cJSON_IsArray(hm_get(val, "oneOf"))) {
			hm_prop_one_of(b, val->string, val,
			    hm_get(val, "oneOf"), req, indent);
			continue;
		}
		buf_printf(b, "%s%s%s: ", indent, val->string, req ? "" : "?");
		t = hm_type_str(val, sub);
		buf_printf(b, "%s,", t);
		free(t);
		if (hm_get(val, "oneOf") == NULL &&
		    (def = hm_get(val, "default")) != NULL) {
			buf_printf(b, " // ");
			hm_default(b, val, def);
		}
		buf_printf(b, "\n");
	}
	buf_printf(b, "%s}", indent);
	free(sub);
}

/* json_schema_to_typescript. */
static void
hm_schema_ts(struct buf *b, const cJSON *schema, const char *indent)
{
	const cJSON *type = hm_get(schema, "type"), *t, *e;
	const char *ty;
	int n = 0;

	if (cJSON_IsArray(hm_get(schema, "oneOf"))) {
		hm_one_of(b, hm_get(schema, "oneOf"), indent);
		return;
	}
	if (cJSON_IsArray(type) && cJSON_GetArraySize(type) > 0) {
		cJSON_ArrayForEach(t, type) {
			if (!cJSON_IsString(t))
				continue;
			ty = strcmp(t->valuestring, "integer") == 0 ?
			    "number" :
			    t->valuestring;
			buf_printf(b, "%s%s", n++ ? " | " : "", ty);
		}
		if (n > 0)
			return;
	}
	ty = cJSON_IsString(type) ? type->valuestring : NULL;
	if (ty == NULL) {
		buf_printf(b, "any");
	} else if (strcmp(ty, "object") == 0) {
		hm_object(b, schema, indent);
	} else if (strcmp(ty, "string") == 0) {
		cJSON_ArrayForEach(e, hm_get(schema, "enum")) {
			if (cJSON_IsString(e))
				buf_printf(b, "%s\"%s\"", n++ ? " | " : "",
				    e->valuestring);
		}
		if (n == 0)
			buf_printf(b, "string");
	} else if (strcmp(ty, "number") == 0 || strcmp(ty, "integer") == 0) {
		buf_printf(b, "number");
	} else if (strcmp(ty, "boolean") == 0) {
		buf_printf(b, "boolean");
	} else if (strcmp(ty, "array") == 0) {
		if (hm_get(schema, "items") != NULL) {
			hm_schema_ts(b, hm_get(schema, "items"), indent);
			buf_printf(b, "[]");
		} else {
			buf_printf(b, "Array<any>");
		}
	} else {
		buf_printf(b, "any");
	}
}

/* Appends "// line" for each line of TEXT (Rust's str::lines). */
static void
hm_comment_lines(struct buf *b, const char *text, int *first)
{
	const char *p = text, *nl;
	size_t n;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		buf_printf(b, "%s// %.*s", *first ? "" : "\n", (int)n, p);
		*first = 0;
		p += nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
	}
}

/* template_tools_section for the "functions" namespace. */
static void
hm_tools_section(struct buf *b, const cJSON *tools)
{
	const cJSON *tool, *fn, *params;
	const char *desc;
	int first;

	buf_printf(b, "# Tools\n\n## functions\n\nnamespace functions {\n");
	cJSON_ArrayForEach(tool, tools) {
		fn = hm_tool_fn(tool);
		params = hm_get(fn, "parameters");
		desc = hm_str(fn, "description");
		buf_printf(b, "\n");
		first = 1;
		if (desc != NULL)
			hm_comment_lines(b, desc, &first);
		if (!first)
			buf_printf(b, "\n");
		if (cJSON_IsObject(params)) {
			buf_printf(b, "type %s = (_: ", hm_str(fn, "name"));
			hm_schema_ts(b, params, "");
			buf_printf(b, ") => any;\n");
		} else {
			buf_printf(b, "type %s = () => any;\n",
			    hm_str(fn, "name"));
		}
	}
	buf_printf(b, "\n} // namespace functions");
}

/* ---- rendering ---------------------------------------------------------- */

struct hm_out {
	const struct gptoss_tokenizer *tok;
	uint32_t *ids;
	size_t n, cap;
};

static void
hm_push(struct hm_out *o, uint32_t id)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->ids = xreallocarray(o->ids, o->cap, sizeof *o->ids);
	}
	o->ids[o->n++] = id;
}

/* Encodes TEXT as ordinary text. */
static void
hm_text(struct hm_out *o, const char *text)
{
	uint32_t *ids = NULL;
	size_t n = 0, i;

	gptoss_tokenizer_encode(o->tok, text, strlen(text), 0, &ids, &n);
	for (i = 0; i < n; i++)
		hm_push(o, ids[i]);
	free(ids);
}

static void
hm_system_text(struct buf *b, const cJSON *m, int has_functions)
{
	const cJSON *v, *ch;
	const char *s;
	int n = 0;

	v = hm_get(m, "model_identity");
	s = v == NULL ? hm_identity : hm_str(m, "model_identity");
	if (s != NULL)
		buf_printf(b, "%s", s), n++;
	v = hm_get(m, "knowledge_cutoff");
	s = v == NULL ? "2024-06" : hm_str(m, "knowledge_cutoff");
	if (s != NULL)
		buf_printf(b, "%sKnowledge cutoff: %s", n++ ? "\n" : "", s);
	if ((s = hm_str(m, "current_date")) != NULL)
		buf_printf(b, "%sCurrent date: %s", n++ ? "\n" : "", s);
	v = hm_get(m, "reasoning");
	s = v == NULL ? "medium" : hm_str(m, "reasoning");
	if (s != NULL)
		buf_printf(b, "%sReasoning: %s", b->len ? "\n\n" : "", s);
	ch = hm_get(m, "channels");
	if (ch != NULL && cJSON_GetArraySize(ch) == 0)
		return;
	buf_printf(b, "%s# Valid channels: ", b->len ? "\n\n" : "");
	n = 0;
	if (ch == NULL)
		buf_printf(b, "analysis, commentary, final");
	cJSON_ArrayForEach(v, ch) {
		if (cJSON_IsString(v))
			buf_printf(b, "%s%s", n++ ? ", " : "", v->valuestring);
	}
	buf_printf(b, ".");
	v = hm_get(m, "channel_required");
	if (v == NULL || cJSON_IsTrue(v))
		buf_printf(b, " Channel must be included for every message.");
	if (has_functions)
		buf_printf(b,
		    "\nCalls to these tools must go to the "
		    "commentary channel: 'functions'.");
}

static void
hm_developer_text(struct buf *b, const cJSON *m)
{
	const char *instr = hm_str(m, "instructions");
	const cJSON *tools = hm_get(m, "tools");

	if (instr != NULL)
		buf_printf(b, "# Instructions\n\n%s", instr);
	if (cJSON_GetArraySize(tools) > 0) {
		if (instr != NULL)
			buf_printf(b, "\n\n");
		hm_tools_section(b, tools);
	}
}

static void
hm_render_message(struct hm_out *o, const cJSON *m, int has_functions)
{
	const char *role = hm_str(m, "role"), *name = hm_str(m, "name");
	const char *rcpt = hm_str(m, "recipient"), *ch = hm_str(m, "channel");
	const char *ct = hm_str(m, "content_type");
	const char *content = hm_str(m, "content");
	char *s;
	struct buf b;

	hm_push(o, GPTOSS_TOKEN_START);
	if (strcmp(role, "tool") == 0) {
		hm_text(o, name);
	} else {
		hm_text(o, role);
		if (name != NULL) {
			s = xasprintf(":%s", name);
			hm_text(o, s);
			free(s);
		}
	}
	if (rcpt != NULL && strcmp(rcpt, "all") != 0) {
		s = xasprintf(" to=%s", rcpt);
		hm_text(o, s);
		free(s);
	}
	if (ch != NULL) {
		hm_push(o, GPTOSS_TOKEN_CHANNEL);
		hm_text(o, ch);
	}
	if (ct != NULL && strncmp(ct, "<|constrain|>", 13) == 0) {
		hm_text(o, " ");
		hm_push(o, GPTOSS_TOKEN_CONSTRAIN);
		hm_text(o, ct + 13);
	} else if (ct != NULL) {
		s = xasprintf(" %s", ct);
		hm_text(o, s);
		free(s);
	}
	hm_push(o, GPTOSS_TOKEN_MESSAGE);
	buf_init(&b, 0);
	if (content != NULL)
		buf_printf(&b, "%s", content);
	else if (strcmp(role, "system") == 0)
		hm_system_text(&b, m, has_functions);
	else if (strcmp(role, "developer") == 0)
		hm_developer_text(&b, m);
	if (b.data != NULL)
		hm_text(o, b.data);
	buf_free(&b);
	hm_push(o,
	    strcmp(role, "assistant") == 0 && rcpt != NULL ? GPTOSS_TOKEN_CALL :
							     GPTOSS_TOKEN_END);
}

/* Whether a developer message declares function tools. */
static int
hm_has_functions(const cJSON *msgs)
{
	const cJSON *m;

	cJSON_ArrayForEach(m, msgs) {
		if (strcmp(hm_str(m, "role"), "developer") == 0 &&
		    hm_str(m, "content") == NULL &&
		    cJSON_GetArraySize(hm_get(m, "tools")) > 0)
			return 1;
	}
	return 0;
}

enum gptoss_status
harmony_render(const struct gptoss_tokenizer *tok,
    const struct harmony_conversation *conv, uint32_t **ids_out, size_t *n_out,
    char **detail_out)
{
	struct hm_out o = { tok, NULL, 0, 0 };
	const cJSON *m, *last_asst = NULL;
	const char *ch;
	int has_fn, drop, idx = 0, first_final = -1;
	uint32_t id;

	if (detail_out != NULL)
		*detail_out = NULL;
	if (tok == NULL || conv == NULL || ids_out == NULL || n_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	if (gptoss_tokenizer_special(tok, "<|constrain|>", &id) != GPTOSS_OK ||
	    id != GPTOSS_TOKEN_CONSTRAIN)
		return hm_fail(detail_out,
		    "the tokenizer lacks the harmony "
		    "special tokens");
	has_fn = hm_has_functions(conv->messages);
	cJSON_ArrayForEach(m, conv->messages) {
		if (strcmp(hm_str(m, "role"), "assistant") == 0)
			last_asst = m;
		ch = hm_str(m, "channel");
		if (first_final < 0 && ch != NULL && strcmp(ch, "final") == 0)
			first_final = idx;
		idx++;
	}
	drop = conv->auto_drop && last_asst != NULL &&
	    (ch = hm_str(last_asst, "channel")) != NULL &&
	    strcmp(ch, "final") == 0;
	idx = 0;
	cJSON_ArrayForEach(m, conv->messages) {
		ch = hm_str(m, "channel");
		if (!(drop && first_final >= 0 && idx < first_final &&
			ch != NULL && strcmp(ch, "analysis") == 0))
			hm_render_message(&o, m, has_fn);
		idx++;
	}
	if (conv->completion) {
		hm_push(&o, GPTOSS_TOKEN_START);
		hm_text(&o, "assistant");
	}
	hm_push(&o, 0);
	o.n--;
	*ids_out = o.ids;
	*n_out = o.n;
	return GPTOSS_OK;
}
