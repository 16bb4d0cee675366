/*
 * color.h: whether output is coloured, and the colours used.
 *
 * One rule for stdout and stderr: the "color" setting (--color, the
 * STOCKAGENT_COLOR variable, the config file) is auto, always or never.
 * auto colours a terminal only, and not when NO_COLOR is set to anything
 * but the empty string (https://no-color.org) or TERM is unset or "dumb";
 * always colours pipes and files too, whatever NO_COLOR says (a flag the
 * user typed wins over the environment, as NO_COLOR asks).
 */
#ifndef STOCKAGENT_COLOR_H
#define STOCKAGENT_COLOR_H

/* SGR sequences; every coloured span ends with COLOR_RESET. */
#define COLOR_BOLD "\033[1m"
#define COLOR_RED "\033[31m"
#define COLOR_GREEN "\033[32m"
#define COLOR_YELLOW "\033[33m"
#define COLOR_RESET "\033[0m"

/* Whether to colour what is written to FD under WHEN ("auto", "always",
 * "never"; NULL or anything else is auto). */
int color_enabled(const char *when, int fd);

#endif
