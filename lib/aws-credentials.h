/*
 * aws-credentials.h: AWS credentials and region, found where the AWS SDKs
 * look for them.
 *
 * Credential order (botocore's default chain, the parts a CLI tool needs):
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN (or AWS_SECURITY_TOKEN); skipped when a profile
 *      is given explicitly in code;
 *   1b. web identity (IRSA): AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN
 *      exchanged with STS AssumeRoleWithWebIdentity, kept until shortly
 *      before they expire (lib/aws-webidentity.h);
 *   2. shared credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 *      ~/.aws/credentials), section [NAME];
 *   3. config file (AWS_CONFIG_FILE, default ~/.aws/config), section
 *      [profile NAME] ([default] for the default profile);
 *   4. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *      (http://169.254.170.2 + it) or AWS_CONTAINER_CREDENTIALS_FULL_URI
 *      (https, loopback or the ECS/EKS link-local hosts only), with
 *      Authorization from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN;
 *   5. EC2 instance metadata, IMDSv2 (token, role, credentials), unless
 *      AWS_EC2_METADATA_DISABLED=true; endpoint AWS_EC2_METADATA_SERVICE_
 *      ENDPOINT, timeout AWS_METADATA_SERVICE_TIMEOUT (s, default 1),
 *      attempts AWS_METADATA_SERVICE_NUM_ATTEMPTS (default 1).
 * The profile is the explicit one, else AWS_PROFILE, else
 * AWS_DEFAULT_PROFILE, else "default".
 *
 * Secrets are never logged; awscred_free wipes them.
 */
#ifndef STOCKAGENT_AWS_CREDENTIALS_H
#define STOCKAGENT_AWS_CREDENTIALS_H

#include <time.h>

struct aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when none */
	time_t expiration;   /* 0 when they do not expire */
	char *source;	     /* where they came from, for messages */
};

struct awscred_options {
	const char *profile;	  /* NULL: from the environment */
	long metadata_timeout_ms; /* 0: AWS_METADATA_SERVICE_TIMEOUT or 1 s */
};

/*
 * Finds credentials (opts may be NULL). Returns 0 with *out set (free with
 * awscred_free), or -1 with *cause: a one-line message naming every place
 * searched when none were found, or the file/endpoint that was broken
 * (a named profile that does not exist, a key without its secret, a
 * profile that needs a provider stockagent lacks such as role_arn/SSO).
 */
int awscred_resolve(const struct awscred_options *opts,
    struct aws_credentials **out, char **cause);

/* Wipes and frees; accepts NULL. */
void awscred_free(struct aws_credentials *c);

/* Whether c expires within margin seconds of now. */
int awscred_expiring(const struct aws_credentials *c, time_t now, long margin);

/*
 * The region: explicit (the caller's own option), else AWS_REGION, else
 * AWS_DEFAULT_REGION, else region in the profile's config section.
 * Returns 0 with *region_out (heap), or -1 with *cause saying how to set
 * one. profile NULL means the environment's profile.
 */
int awscred_region(const char *explicit_region, const char *profile,
    char **region_out, char **cause);

#endif
