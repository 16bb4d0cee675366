/*
 * aws-webidentity.h: credentials for a web identity (IRSA on Amazon EKS):
 * the token file Kubernetes projects into the pod, exchanged for a role's
 * credentials with STS AssumeRoleWithWebIdentity.
 *
 * Configured by AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (both, as
 * the EKS pod identity webhook sets them), with AWS_ROLE_SESSION_NAME
 * (default "stockagent-" and the time). The request is the STS query
 * API, POST "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&..."
 * (form-encoded, unsigned: the token is the proof), to the endpoint of
 * service "sts" (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, else
 * https://sts.REGION.amazonaws.com, us-east-1 when no region is set); the
 * answer is XML. The credentials are kept for the process, shared by its
 * threads, until AWSCRED_WEBID_MARGIN_S before they expire.
 */
#ifndef STOCKAGENT_AWS_WEBIDENTITY_H
#define STOCKAGENT_AWS_WEBIDENTITY_H

struct aws_credentials;

/* The most bytes of the token file and of the STS answer. */
#define AWSCRED_WEBID_TOKEN_MAX (64 * 1024)
#define AWSCRED_WEBID_RESPONSE_MAX (64 * 1024)
/* Seconds before expiry when kept credentials are fetched again. */
#define AWSCRED_WEBID_MARGIN_S 300

/*
 * 1 with *out (a copy the caller frees with awscred_free) when the
 * variables are set and STS answered, 0 when they are not set, -1 with
 * *cause (the token file, the STS error code and message, or the
 * transport failure; never the token). REGION picks the STS endpoint
 * (NULL: us-east-1).
 */
int awscred_web_identity(const char *region, struct aws_credentials **out,
    char **cause);

/* Forgets the kept credentials (tests; after the variables change). */
void awscred_web_identity_reset(void);

#endif
