/*
 * text/pyfloat.c - Python's str(float), which is repr(float) since Python
 * 3.2 (Objects/floatobject.c float_repr: PyOS_double_to_string(x, 'r', 0,
 * Py_DTSF_ADD_DOT_0)).
 *
 * The digits are the shortest that read back as the same double, and of
 * those the closest to it (David Gay's dtoa mode 0). They are found with the
 * C library, which converts exactly: for each length from 1 to 17 digits,
 * the correctly rounded decimal of that length ("%.*e") is the closest
 * candidate, and is read back with strtod (in the locale printf wrote it
 * in). When it does not read back as the value, the neighbour on the other
 * side could only do so at a power of two, where the doubles below are
 * twice as close as those above: there the decimal below may fall outside
 * while the one above is inside, and that one is tried too (read back as
 * "DIGITSeEXP", with no decimal point). Without this, 2^-24 would come out
 * as 5.9604644775390625e-08 where Python writes 5.960464477539063e-08.
 *
 * The layout is Python's format_float_short with the 'r' rules: with the
 * value as 0.DIGITS times 10^decpt, exponent notation when decpt <= -4 or
 * decpt > 16 ("1e+16", "1e-05", "2.5e-308": a sign and at least two exponent
 * digits), else positional with at least one digit after the point ("1.0",
 * "0.0001", "1234567890123456.8"). Then "inf", "-inf", "nan" (whatever the
 * sign of the NaN) and "-0.0".
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

#define MAX_DIGITS 17

/* Does the decimal digits[0..nd) times 10^exp read back as d? */
static int reads_back(const char *digits, int nd, int exp, double d) {
  char s[MAX_DIGITS + 16];
  int k = snprintf(s, sizeof(s), "%.*se%d", nd, digits, exp);
  return k > 0 && (size_t)k < sizeof(s) && strtod(s, NULL) == d;
}

/* digits[0..nd) plus one unit in the last place, in place; a carry out of
 * the first digit makes one digit more. */
static void step_up(char *digits, int *nd) {
  int i = *nd - 1;
  while (i >= 0 && digits[i] == '9')
    digits[i--] = '0';
  if (i >= 0) {
    digits[i]++;
  } else {
    memmove(digits + 1, digits, (size_t)*nd);
    digits[0] = '1';
    (*nd)++;
  }
}

/* The digits of e, "D[.DDD]e[+-]XX" from "%.*e" with precision p (whatever
 * the locale's decimal point): returns their count, the exponent of the last
 * one in *exp (e ~ DIGITS * 10^*exp). */
static int split_e(const char *e, int p, char *digits, int *exp) {
  int n = 0;
  for (; *e != 'e' && *e != '\0'; e++)
    if (*e >= '0' && *e <= '9')
      digits[n++] = *e;
  *exp = (*e == 'e' ? atoi(e + 1) : 0) - p;
  return n;
}

/* The shortest round-tripping digits of d (finite, > 0): digits[0..*nd)
 * with no leading or trailing zero, and d ~ 0.DIGITS * 10^*decpt. Only at a
 * power of two (above the smallest normal) is the interval of the decimals
 * that read back as d lopsided, the doubles below being twice as close:
 * only there can the neighbour above succeed where the nearest (below)
 * fails; elsewhere the nearest is the only candidate. */
static void shortest(double d, char *digits, int *nd, int *decpt) {
  char e[MAX_DIGITS + 32];
  int n = 0, exp = 0, e2;
  int lopsided = frexp(d, &e2) == 0.5 && d > DBL_MIN;
  for (int p = 0; p < MAX_DIGITS; p++) {
    double v;
    snprintf(e, sizeof(e), "%.*e", p, d);
    v = strtod(e, NULL);
    n = split_e(e, p, digits, &exp);
    if (v == d)
      break;
    if (lopsided && v < d) {
      char cand[MAX_DIGITS + 2];
      int cn = n;
      memcpy(cand, digits, (size_t)n);
      step_up(cand, &cn);
      if (reads_back(cand, cn, exp, d)) {
        memcpy(digits, cand, (size_t)cn);
        n = cn;
        break;
      }
    }
  }
  while (n > 1 && digits[n - 1] == '0') {
    n--;
    exp++;
  }
  *nd = n;
  *decpt = exp + n;
}

/* Append str(d) to b. Returns 0, -1 on ENOMEM. */
int coreapi__py_float_str(coreapi__buf *b, double d) {
  char digits[MAX_DIGITS + 2], out[MAX_DIGITS + 40];
  char *o = out;
  int nd, decpt;
  if (isnan(d))
    return coreapi__buf_append(b, "nan", 3);
  if (isinf(d))
    return d > 0 ? coreapi__buf_append(b, "inf", 3) : coreapi__buf_append(b, "-inf", 4);
  if (signbit(d))
    *o++ = '-';
  if (d == 0) {
    memcpy(o, "0.0", 3);
    return coreapi__buf_append(b, out, (size_t)(o + 3 - out));
  }
  shortest(fabs(d), digits, &nd, &decpt);
  if (decpt <= -4 || decpt > 16) {
    int x = decpt - 1;
    *o++ = digits[0];
    if (nd > 1) {
      *o++ = '.';
      memcpy(o, digits + 1, (size_t)nd - 1);
      o += nd - 1;
    }
    o += snprintf(o, sizeof(out) - (size_t)(o - out), "e%c%02d", x < 0 ? '-' : '+',
                  x < 0 ? -x : x);
  } else if (decpt <= 0) {
    *o++ = '0';
    *o++ = '.';
    for (int z = 0; z < -decpt; z++)
      *o++ = '0';
    memcpy(o, digits, (size_t)nd);
    o += nd;
  } else if (decpt >= nd) {
    memcpy(o, digits, (size_t)nd);
    o += nd;
    for (int z = 0; z < decpt - nd; z++)
      *o++ = '0';
    *o++ = '.';
    *o++ = '0';
  } else {
    memcpy(o, digits, (size_t)decpt);
    o += decpt;
    *o++ = '.';
    memcpy(o, digits + decpt, (size_t)(nd - decpt));
    o += nd - decpt;
  }
  return coreapi__buf_append(b, out, (size_t)(o - out));
}
