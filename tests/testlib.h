/*
 * testlib.h: the tiny harness inside each unit-test program (Redis testhelp).
 *
 *   TEST_CHECK("what a user would check", expr);
 *   return TEST_REPORT();
 *
 * Prints one line per failure and "N tests, P passed, F failed" at the end;
 * the exit status is what automake's harness reads.
 */
#ifndef STOCKAGENT_TESTLIB_H
#define STOCKAGENT_TESTLIB_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_failed, test_passed;

#define TEST_CHECK(descr, expr)                                              \
	do {                                                                 \
		if (expr) {                                                  \
			test_passed++;                                       \
		} else {                                                     \
			test_failed++;                                       \
			printf("FAIL %s:%d: %s [%s]\n", __FILE__, __LINE__,  \
			    descr, #expr);                                   \
		}                                                            \
	} while (0)

/* |a - b| <= rel * max(|a|, |b|) + abs */
#define TEST_NEAR(descr, a, b, rel, abs_)                                    \
	do {                                                                 \
		double ta_ = (a), tb_ = (b);                                 \
		double tm_ = fabs(ta_) > fabs(tb_) ? fabs(ta_) : fabs(tb_);  \
		if (fabs(ta_ - tb_) <= (rel) * tm_ + (abs_)) {               \
			test_passed++;                                       \
		} else {                                                     \
			test_failed++;                                       \
			printf("FAIL %s:%d: %s: %.12g != %.12g\n", __FILE__, \
			    __LINE__, descr, ta_, tb_);                      \
		}                                                            \
	} while (0)

#define TEST_STREQ(descr, a, b)                                              \
	do {                                                                 \
		const char *sa_ = (a), *sb_ = (b);                           \
		if (sa_ != NULL && sb_ != NULL && strcmp(sa_, sb_) == 0) {   \
			test_passed++;                                       \
		} else {                                                     \
			test_failed++;                                       \
			printf("FAIL %s:%d: %s: \"%s\" != \"%s\"\n",         \
			    __FILE__, __LINE__, descr, sa_ ? sa_ : "(null)", \
			    sb_ ? sb_ : "(null)");                           \
		}                                                            \
	} while (0)

#define TEST_REPORT()                                                        \
	(printf("%d tests, %d passed, %d failed\n", test_passed + test_failed, \
	     test_passed, test_failed),                                      \
	    test_failed ? 1 : 0)

#endif
