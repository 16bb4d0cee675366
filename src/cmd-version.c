/*
 * cmd-version.c: stockagent version.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <hpdf.h>
#include <openssl/opensslv.h>
#include <sqlite3.h>

#include "lib/exitcode.h"
#include "lib/http.h"
#include "model/gptoss/cuda/cuda-probe.h"
#include "model/gptoss/gptoss.h"
#include "src/cmd.h"

static int
cmd_version_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc > 1) {
		fprintf(stderr, "stockagent version: takes no arguments\n");
		return EXIT_USAGE;
	}
	printf("stockagent %s\n", PACKAGE_VERSION);
	printf("libcurl %s, cJSON %s, SQLite %s, libharu %s, %s\n",
	    http_curl_version() != NULL ? http_curl_version() : "not loadable",
	    cJSON_Version(), sqlite3_libversion(), HPDF_VERSION_TEXT,
	    OPENSSL_VERSION_TEXT);
	if (CUDA_PROBE_BUILT) {
		int n = cuda_probe_device_count();
		char *d = n > 0 ? gptoss_device_describe(GPTOSS_DEVICE_CUDA) :
				  NULL;
		printf("CUDA backend: built for %s, %d device(s) found%s%s "
		       "(not yet verified on a device)\n",
		    cuda_probe_archs(), n, d ? ": " : "", d ? d : "");
		free(d);
	} else
		printf("CUDA backend: not built (configure --with-cuda)\n");
	return EXIT_OK;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.usage = "",
	.summary = "print the version and the libraries it was built with",
	.help = "",
	.exec = cmd_version_exec,
	.flags = CMD_ANY_SETTINGS,
};
