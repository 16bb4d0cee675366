/*
 * model-int.h: what a model backend implements (private to model/).
 */
#ifndef STOCKAGENT_MODEL_INT_H
#define STOCKAGENT_MODEL_INT_H

#include "model/model.h"

/* What open returns for a malformed URI or option, and for a compute
 * device that cannot be used. */
#define MODEL_OPEN_USAGE (-2)
#define MODEL_OPEN_DEVICE (-3)

struct model_backend {
	const char *scheme; /* "builtin", "openai", ... */
	const char *summary;
	/* Opens the backend for the URI part after "scheme:" (NULL when the
	 * URI is the bare scheme). Returns 0 with *state_out, or with *cause
	 * MODEL_OPEN_USAGE for a malformed URI (the CLI exits 2),
	 * MODEL_OPEN_DEVICE for a device that cannot be used (exit 11) or -1
	 * when the model cannot be reached or set up (exit 4). */
	int (*open)(const char *rest, const struct model_params *defaults,
	    void **state_out, char **cause);
	int (*chat)(void *state, const struct model_request *req,
	    struct model_response *resp, char **cause);
	void (*close)(void *state);
};

extern const struct model_backend model_backend_builtin;
extern const struct model_backend model_backend_local;
extern const struct model_backend model_backend_openai;
extern const struct model_backend model_backend_bedrock;
extern const struct model_backend model_backend_sagemaker;

#endif
