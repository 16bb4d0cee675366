/*
 * redact.h: secrets out of URLs before they are shown or stored.
 *
 * In every URL inside a text (anything after "scheme://"), the password of
 * the userinfo becomes "***" (user:***@host; a userinfo without a colon,
 * often a token, becomes ***@host), and so does the value of each query
 * parameter that holds a secret: apikey, api_key, key, token,
 * access_token, password, secret, signature, X-Amz-Signature,
 * X-Amz-Credential, X-Amz-Security-Token and the like.
 */
#ifndef STOCKAGENT_REDACT_H
#define STOCKAGENT_REDACT_H

/* TEXT with its URLs' secrets masked (heap string; "" for NULL). */
char *redact_text(const char *text);

/* 1 when redact_text would change TEXT. */
int redact_has_secret(const char *text);

#endif
