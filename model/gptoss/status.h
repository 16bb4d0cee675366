/*
 * status.h: the status codes every gpt-oss engine function returns.
 *
 * Engine functions return one of these and fill their _out parameters only
 * on GPTOSS_OK. gptoss_status_str gives a short description for messages.
 */
#ifndef STOCKAGENT_GPTOSS_STATUS_H
#define STOCKAGENT_GPTOSS_STATUS_H

enum gptoss_status {
	GPTOSS_OK = 0,
	GPTOSS_ERR_ARGUMENT,	/* a caller's argument is invalid */
	GPTOSS_ERR_IO,		/* a file is missing or unreadable */
	GPTOSS_ERR_FORMAT,	/* a file or input is malformed or truncated */
	GPTOSS_ERR_UNSUPPORTED, /* well-formed, but not what gpt-oss uses */
	GPTOSS_ERR_TOO_LARGE,	/* over an explicit size limit */
	GPTOSS_ERR_RANGE,	/* a token id outside the vocabulary */
	GPTOSS_ERR_SHAPE,	/* a tensor's dtype or shape is wrong */
	GPTOSS_ERR_CONTEXT_OVERFLOW, /* more tokens than the context holds */
	GPTOSS_ERR_DEVICE, /* no usable CUDA device, or a CUDA call failed */
};

/* A static string naming STATUS ("malformed input", ...). */
const char *gptoss_status_str(enum gptoss_status status);

#endif
