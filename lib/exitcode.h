/*
 * exitcode.h: the documented exit codes (man/stockagent.1, EXIT STATUS).
 */
#ifndef STOCKAGENT_EXITCODE_H
#define STOCKAGENT_EXITCODE_H

enum exit_code {
	EXIT_OK = 0,	      /* success */
	EXIT_FAILURE_ANY = 1, /* an unexpected internal failure */
	EXIT_USAGE = 2,	      /* bad command line or bad input */
	EXIT_MARKET = 3,      /* market data unavailable */
	EXIT_MODEL = 4,	      /* the model failed */
	EXIT_STORAGE = 5,     /* database or file storage failed */
	EXIT_UPLOAD = 6,      /* report kept locally, upload failed */
	EXIT_INTERRUPTED = 7, /* paused for approval, or declined */
	EXIT_NETWORK = 8,     /* a remote service failed */
	EXIT_BUSY = 9,	      /* busy: another process holds the run */
	EXIT_PARTIAL = 10,    /* a batch finished with some symbols failed */
	EXIT_DEVICE = 11,     /* the compute device asked for is not usable */
};

#endif
