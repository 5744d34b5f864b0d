/* impairspec.c - the --impair spec: "loss=5%,dup=1%,reorder=2%,delay=10ms,
 * corrupt=0.1%,seed=N" parsed into a struct impair_spec and formatted back
 *
 * Rates are percentages with at most four decimals, kept as parts per
 * million so that formatting gives back exactly what was parsed (the
 * filesystem's `options` file round-trips).  "off" turns impairment off.
 * Every error names the part of the spec that is wrong and what to write.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impair.h"

#define SPEC_MAX_INPUT  256     /* longest spec we read */
#define PCT_DECIMALS    4       /* 0.0001% = 1 ppm */

enum spec_key { K_LOSS, K_DUP, K_REORDER, K_CORRUPT, K_DELAY, K_SEED, K_COUNT };

static const char *const key_names[K_COUNT] = {
	[K_LOSS] = "loss", [K_DUP] = "dup", [K_REORDER] = "reorder",
	[K_CORRUPT] = "corrupt", [K_DELAY] = "delay", [K_SEED] = "seed",
};

static int spec_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* spec_fail() - write an error message; returns -1 */
static int spec_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* parse_percent() - "5%", "0.1%", "100%" into parts per million;
 * -1 with @err naming @item if malformed
 */
static int parse_percent(const char *item, const char *v, uint32_t *ppm,
			 char *err, size_t errlen)
{
	uint64_t whole = 0, frac = 0;
	int ndec = 0;
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return spec_fail(err, errlen, "%s: not a percentage (e.g. 5%% or 0.1%%)", item);
	while (isdigit((unsigned char)*p)) {
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		if (whole > 100)
			return spec_fail(err, errlen, "%s: more than 100%%", item);
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return spec_fail(err, errlen, "%s: not a percentage (e.g. 5%% or 0.1%%)", item);
		while (isdigit((unsigned char)*p)) {
			if (++ndec > PCT_DECIMALS)
				return spec_fail(err, errlen, "%s: at most %d decimals (0.0001%% steps)",
						 item, PCT_DECIMALS);
			frac = frac * 10 + (uint64_t)(*p++ - '0');
		}
	}
	if (*p == '\0')
		return spec_fail(err, errlen, "%s: missing unit %% (e.g. %s%%)", item, item);
	if (strcmp(p, "%"))
		return spec_fail(err, errlen, "%s: not a percentage (e.g. 5%% or 0.1%%)", item);
	for (; ndec < PCT_DECIMALS; ndec++)
		frac *= 10;
	if (whole * 10000 + frac > IMPAIR_PPM_MAX)
		return spec_fail(err, errlen, "%s: more than 100%%", item);
	*ppm = (uint32_t)(whole * 10000 + frac);
	return 0;
}

/* parse_delay() - "10ms" or "1s" into milliseconds, at most
 * IMPAIR_MAX_DELAY_MS
 */
static int parse_delay(const char *item, const char *v, uint32_t *ms,
		       char *err, size_t errlen)
{
	uint64_t n = 0;
	const char *p = v;

	if (!isdigit((unsigned char)*p))
		return spec_fail(err, errlen, "%s: not a time (e.g. delay=10ms)", item);
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (uint64_t)(*p++ - '0');
		if (n > IMPAIR_MAX_DELAY_MS)
			return spec_fail(err, errlen, "%s: more than %ums", item,
					 IMPAIR_MAX_DELAY_MS);
	}
	if (*p == '\0')
		return spec_fail(err, errlen, "%s: missing unit ms or s (e.g. delay=%sms)", item, v);
	if (!strcmp(p, "s"))
		n *= 1000;
	else if (strcmp(p, "ms"))
		return spec_fail(err, errlen, "%s: unit must be ms or s (e.g. delay=10ms)", item);
	if (n > IMPAIR_MAX_DELAY_MS)
		return spec_fail(err, errlen, "%s: more than %ums", item, IMPAIR_MAX_DELAY_MS);
	*ms = (uint32_t)n;
	return 0;
}

/* parse_seed() - a decimal or 0x hexadecimal 64-bit number */
static int parse_seed(const char *item, const char *v, uint64_t *seed,
		      char *err, size_t errlen)
{
	char *end;
	unsigned long long n;

	if (!isdigit((unsigned char)*v))
		return spec_fail(err, errlen, "%s: not a number (e.g. seed=42)", item);
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end)
		return spec_fail(err, errlen, "%s: not a 64-bit number (e.g. seed=42)", item);
	*seed = n;
	return 0;
}

/* find_key() - the key named by @k, or K_COUNT */
static enum spec_key find_key(const char *k)
{
	for (int i = 0; i < K_COUNT; i++)
		if (!strcmp(k, key_names[i]))
			return (enum spec_key)i;
	return K_COUNT;
}

/* parse_item() - one "key=value" into @s; @seen catches repeated keys */
static int parse_item(char *item, struct impair_spec *s, unsigned *seen,
		      char *err, size_t errlen)
{
	char *eq = strchr(item, '=');
	char whole[SPEC_MAX_INPUT + 1];
	enum spec_key k;

	snprintf(whole, sizeof(whole), "%s", item);
	if (!eq)
		return spec_fail(err, errlen, "\"%s\": not KEY=VALUE "
				 "(keys: loss dup reorder corrupt delay seed)", whole);
	*eq = '\0';
	k = find_key(item);
	if (k == K_COUNT)
		return spec_fail(err, errlen, "\"%s\": unknown key %s "
				 "(keys: loss dup reorder corrupt delay seed)", whole, item);
	if (*seen & (1u << k))
		return spec_fail(err, errlen, "\"%s\": %s given twice", whole, item);
	*seen |= 1u << k;
	switch (k) {
	case K_LOSS:    return parse_percent(whole, eq + 1, &s->loss_ppm, err, errlen);
	case K_DUP:     return parse_percent(whole, eq + 1, &s->dup_ppm, err, errlen);
	case K_REORDER: return parse_percent(whole, eq + 1, &s->reorder_ppm, err, errlen);
	case K_CORRUPT: return parse_percent(whole, eq + 1, &s->corrupt_ppm, err, errlen);
	case K_DELAY:   return parse_delay(whole, eq + 1, &s->delay_ms, err, errlen);
	case K_SEED:
		s->have_seed = true;
		return parse_seed(whole, eq + 1, &s->seed, err, errlen);
	case K_COUNT:   break;
	}
	return spec_fail(err, errlen, "internal: unhandled key");
}

/* impair_spec_parse() - parse @str into @out ("off" or "none": all zero);
 * on error @out is unchanged and @err names the bad part
 */
int impair_spec_parse(const char *str, struct impair_spec *out,
		      char *err, size_t errlen)
{
	char buf[SPEC_MAX_INPUT + 1];
	struct impair_spec s;
	unsigned seen = 0;
	char *item, *next;

	memset(&s, 0, sizeof(s));
	if (strlen(str) > SPEC_MAX_INPUT)
		return spec_fail(err, errlen, "longer than %d characters", SPEC_MAX_INPUT);
	if (!strcmp(str, "off") || !strcmp(str, "none")) {
		*out = s;
		return 0;
	}
	if (!*str)
		return spec_fail(err, errlen, "empty: give KEY=VALUE,... "
				 "(e.g. loss=5%%,delay=10ms) or off");
	strcpy(buf, str);
	for (item = buf; item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (!*item)
			return spec_fail(err, errlen, "empty item between commas");
		if (parse_item(item, &s, &seen, err, errlen))
			return -1;
	}
	*out = s;
	return 0;
}

/* append() - snprintf at *@off into @buf, never past @len */
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < len ? buf + *off : NULL, *off < len ? len - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/* append_pct() - ",key=N[.DDDD]%" with trailing zeros of the decimals cut */
static void append_pct(char *buf, size_t len, size_t *off, const char *key,
		       uint32_t ppm)
{
	uint32_t frac = ppm % 10000;
	int digits = PCT_DECIMALS;

	if (!ppm)
		return;
	append(buf, len, off, "%s%s=%u", *off ? "," : "", key, ppm / 10000);
	if (frac) {
		while (frac % 10 == 0) {
			frac /= 10;
			digits--;
		}
		append(buf, len, off, ".%0*u", digits, frac);
	}
	append(buf, len, off, "%%");
}

/* impair_spec_format() - @s in --impair form ("off" if off); returns the
 * length it needed, like snprintf
 */
size_t impair_spec_format(const struct impair_spec *s, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	append_pct(buf, len, &off, "loss", s->loss_ppm);
	append_pct(buf, len, &off, "dup", s->dup_ppm);
	append_pct(buf, len, &off, "reorder", s->reorder_ppm);
	if (s->delay_ms)
		append(buf, len, &off, "%sdelay=%ums", off ? "," : "", (unsigned)s->delay_ms);
	append_pct(buf, len, &off, "corrupt", s->corrupt_ppm);
	if (s->have_seed && off)
		append(buf, len, &off, ",seed=%" PRIu64, s->seed);
	if (!off)
		append(buf, len, &off, "off");
	return off;
}

/* impair_spec_on() - does @s change anything? */
bool impair_spec_on(const struct impair_spec *s)
{
	return s->loss_ppm || s->dup_ppm || s->reorder_ppm || s->corrupt_ppm ||
	       s->delay_ms;
}

/* impair_spec_equal() - same impairment, same seed? */
bool impair_spec_equal(const struct impair_spec *a, const struct impair_spec *b)
{
	return a->loss_ppm == b->loss_ppm && a->dup_ppm == b->dup_ppm &&
	       a->reorder_ppm == b->reorder_ppm && a->corrupt_ppm == b->corrupt_ppm &&
	       a->delay_ms == b->delay_ms && a->have_seed == b->have_seed &&
	       (!a->have_seed || a->seed == b->seed);
}

/* impair_spec_seed() - the seed in force: given, or the fixed default */
uint64_t impair_spec_seed(const struct impair_spec *s)
{
	return s->have_seed ? s->seed : IMPAIR_DEFAULT_SEED;
}
