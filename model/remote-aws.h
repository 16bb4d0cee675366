/*
 * remote-aws.h: what the Bedrock and SageMaker backends share (private to
 * model/): opening from a URI, with region, endpoint and credentials, and
 * sending a request signed afresh for each attempt, on top of remote.h,
 * lib/aws-credentials.h, lib/aws-endpoint.h and lib/aws-sigv4.h.
 *
 *   region     ?region=, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *   endpoint   ?endpoint=, AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL,
 *              else https://PREFIX.REGION.amazonaws.com
 *   auth       a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as a Bearer
 *              token where the service takes one; else SigV4 with the
 *              credential chain (environment, shared files, container,
 *              instance metadata), refreshed when they are about to expire.
 */
#ifndef STOCKAGENT_MODEL_REMOTE_AWS_H
#define STOCKAGENT_MODEL_REMOTE_AWS_H

#include "lib/aws-credentials.h"
#include "lib/aws-endpoint.h"
#include "lib/http.h"
#include "model/model.h"
#include "model/remote.h"

/* What sets one AWS backend apart, for remote_aws_open. */
struct remote_aws_service {
	const char *scheme;	    /* "bedrock": the URI scheme */
	const char *const *options; /* URI options it takes, NULL-terminated */
	const char *endpoint_id;    /* "bedrock-runtime", "sagemaker-runtime" */
	const char *bearer_env;	    /* "AWS_BEARER_TOKEN_BEDROCK" or NULL */
	size_t state_size; /* the backend's state: a struct remote_aws first */
	/* Checks the backend's own parts of U (base, options) and keeps them
	 * in STATE; -1 with *cause when one is wrong (a usage error). */
	int (*configure)(void *state, const struct remote_uri *u, char **cause);
	/* Frees what configure kept in STATE (not STATE itself). */
	void (*free)(void *state);
};

/* The state every AWS backend keeps: the first member of its own. */
struct remote_aws {
	const struct remote_aws_service *svc;
	char *region;
	struct aws_endpoint ep;
	char *bearer; /* secret */
	struct aws_credentials *cred;
	struct remote_conf conf;      /* stream, timeout, retries */
	struct model_params defaults; /* given at open */
};

/*
 * A backend's open: a new state of SVC->state_size bytes; parses REST (the
 * URI after "scheme:") with SVC's options, lets SVC->configure check and
 * keep the backend's own, reads the common options, keeps DEFAULTS, and
 * resolves region, endpoint and credentials as above. Returns 0 with
 * *STATE_OUT for remote_aws_close; MODEL_OPEN_USAGE with *cause for a
 * malformed URI or option; -1 with *cause saying what to set when the
 * set-up fails.
 */
int remote_aws_open(const struct remote_aws_service *svc, const char *rest,
    const struct model_params *defaults, void **state_out, char **cause);
/* Frees a state from remote_aws_open; NULL is allowed. */
void remote_aws_close(void *state);

/*
 * POSTs BODY to PATH (percent-encoded, after the endpoint's base) with
 * headers H, signed for each attempt. When A->conf.stream, the response
 * is fed to EV as it arrives; otherwise HR collects its body. Returns 0
 * with HR holding a 2xx response, or -1 with *cause: WHAT ("bedrock
 * converse") and the stream's error, or what remote_perform says. HR must
 * be initialised; the caller frees it.
 */
int remote_aws_send(struct remote_aws *a, const char *what, const char *path,
    const struct http_headers *h, const char *body, struct remote_events *ev,
    struct http_response *hr, char **cause);

/* Percent-encodes one path label (":" becomes "%3A"), heap string. */
char *remote_aws_label(const char *s);

#endif
