/*
 * testlib.h: the tiny harness inside each unit-test program (Redis testhelp).
 *
 *   TEST_CHECK("what a user would check", expr);
 *   TEST_SKIP("why this check cannot run here");
 *   return TEST_REPORT();
 *
 * Prints one line per failure and per skip, and "N tests, P passed, F
 * failed" at the end; the exit status is what automake's harness reads:
 * 1 if a check failed or none was made (a program that checks nothing
 * proves nothing), 77 (SKIP) if everything was skipped, else 0.
 */
#ifndef STOCKAGENT_TESTLIB_H
#define STOCKAGENT_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_failed, test_passed, test_skipped;

#define TEST_CHECK(descr, expr)                                                \
	do {                                                                   \
		if (expr) {                                                    \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			printf("FAIL %s:%d: %s [%s]\n", __FILE__, __LINE__,    \
			    descr, #expr);                                     \
		}                                                              \
	} while (0)

/* |a - b| <= rel * max(|a|, |b|) + abs */
#define TEST_NEAR(descr, a, b, rel, abs_)                                      \
	do {                                                                   \
		double ta_ = (a), tb_ = (b);                                   \
		double tm_ = fabs(ta_) > fabs(tb_) ? fabs(ta_) : fabs(tb_);    \
		if (fabs(ta_ - tb_) <= (rel)*tm_ + (abs_)) {                   \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			printf("FAIL %s:%d: %s: %.12g != %.12g\n", __FILE__,   \
			    __LINE__, descr, ta_, tb_);                        \
		}                                                              \
	} while (0)

#define TEST_STREQ(descr, a, b)                                                \
	do {                                                                   \
		const char *sa_ = (a), *sb_ = (b);                             \
		if (sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0) {     \
			test_passed++;                                         \
		} else {                                                       \
			test_failed++;                                         \
			printf("FAIL %s:%d: %s: \"%s\" != \"%s\"\n", __FILE__, \
			    __LINE__, descr, sa_ ? sa_ : "(null)",             \
			    sb_ ? sb_ : "(null)");                             \
		}                                                              \
	} while (0)

/* A check that cannot run here (no such CPU feature, no tool): counted,
 * with the reason printed, instead of a check that always passes. */
#define TEST_SKIP(reason)                                                      \
	do {                                                                   \
		test_skipped++;                                                \
		printf("SKIP %s:%d: %s\n", __FILE__, __LINE__, (reason));      \
	} while (0)

static inline int
test_report(void)
{
	printf("%d tests, %d passed, %d failed", test_passed + test_failed,
	    test_passed, test_failed);
	if (test_skipped > 0)
		printf(", %d skipped", test_skipped);
	printf("\n");
	if (test_failed > 0)
		return 1;
	if (test_passed > 0)
		return 0;
	if (test_skipped > 0)
		return 77;
	printf("FAIL: no checks were made\n");
	return 1;
}

#define TEST_REPORT() test_report()

#endif
