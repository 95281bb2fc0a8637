// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The Prometheus formatter of xdpsecctl metrics: exact samples for known
 * counters, SAs and workers; every line well formed and every sample
 * after its family's TYPE; the bounded buffer gives the same bytes at any
 * size; a failing sink or SA source is reported, not ignored.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../../ctl/xdpsecctl/metrics.h"

struct sink {
	char buf[1 << 16];
	size_t len;
	int fail_after; /* flushes before -EPIPE; -1 never */
	int flushes;
};

static int sink_flush(void *ctx, const char *p, size_t n)
{
	struct sink *s = ctx;

	if (s->fail_after >= 0 && s->flushes >= s->fail_after)
		return -EPIPE;
	s->flushes++;
	assert_true(s->len + n < sizeof(s->buf));
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = '\0';
	return 0;
}

/* SA source over an array */
struct arr {
	const struct xs_metrics_sa *sa;
	size_t n, i;
	int err_at; /* index that fails with -EIO; -1 none */
};

static void arr_rewind(void *ctx)
{
	((struct arr *)ctx)->i = 0;
}

static int arr_next(void *ctx, struct xs_metrics_sa *sa)
{
	struct arr *a = ctx;

	if ((int)a->i == a->err_at)
		return -EIO;
	if (a->i >= a->n)
		return 0;
	*sa = a->sa[a->i++];
	return 1;
}

static struct xs_metrics_sa sas[2];

static void make_sas(void)
{
	memset(sas, 0, sizeof(sas));
	sas[0].slot = 3;
	sas[0].spi = 0x1001;
	sas[0].dir = XS_DIR_IN;
	sas[0].proto = IPPROTO_ESP;
	sas[0].family = AF_INET;
	inet_pton(AF_INET, "10.1.0.2", sas[0].daddr);
	sas[0].st.rx_packets = 11;
	sas[0].st.rx_bytes = 1100;
	sas[0].st.tx_packets = 99; /* not an outbound SA: never shown */
	sas[0].st.drops = 2;
	sas[1].slot = 7;
	sas[1].dir = XS_DIR_OUT;
	sas[1].proto = IPPROTO_AH;
	sas[1].family = AF_INET6;
	sas[1].has_saddr = 1;
	inet_pton(AF_INET6, "fd00::1", sas[1].saddr);
	inet_pton(AF_INET6, "fd00::2", sas[1].daddr);
	sas[1].st.tx_packets = 5;
	sas[1].st.tx_bytes = 640;
}

/* The whole exposition (no maps) into s through a buffer of cap bytes. */
static int render(struct sink *s, size_t cap, int sa_err_at)
{
	static char buf[1 << 16];
	struct xs_stats st, rows[3];
	struct arr a = { sas, 2, 0, sa_err_at };
	struct xs_metrics_sa_src src = { arr_rewind, arr_next, &a };
	struct xs_mout o;
	int err;

	make_sas();
	memset(&st, 0, sizeof(st));
	st.rx_pass = 5;
	st.drop_bad_icv = 7;
	st.drop_malformed = 1;
	st.worker_dead = 1;
	memset(rows, 0, sizeof(rows));
	rows[2].rx_decrypt = 42;
	xs_metrics_out_init(&o, buf, cap, sink_flush, s);
	xs_metrics_write_counters(&o, &st);
	xs_metrics_write_workers(&o, rows, 3);
	err = xs_metrics_write_sas(&o, &src);
	if (err)
		return err;
	return xs_metrics_out_flush(&o);
}

static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static void test_samples(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	static const char *const want[] = {
		"# TYPE xdpsec_rx_pass_total counter",
		"xdpsec_rx_pass_total 5",
		"xdpsec_tx_pass_total 0",
		"xdpsec_worker_dead_total 1",
		"# TYPE xdpsec_drops_total counter",
		"xdpsec_drops_total{reason=\"bad-icv\"} 7",
		"xdpsec_drops_total{reason=\"malformed\"} 1",
		"xdpsec_drops_total{reason=\"replay\"} 0",
		"xdpsec_worker_packets_total{worker=\"2\",counter=\"rx-decrypt\"} 42",
		"xdpsec_sa_packets_total{slot=\"3\",direction=\"rx\",proto=\"esp\","
		"spi=\"0x00001001\",dst=\"10.1.0.2\"} 11",
		"xdpsec_sa_bytes_total{slot=\"3\",direction=\"rx\",proto=\"esp\","
		"spi=\"0x00001001\",dst=\"10.1.0.2\"} 1100",
		"xdpsec_sa_drops_total{slot=\"3\",direction=\"rx\",proto=\"esp\","
		"spi=\"0x00001001\",dst=\"10.1.0.2\"} 2",
		"xdpsec_sa_packets_total{slot=\"7\",direction=\"tx\",proto=\"ah\","
		"src=\"fd00::1\",dst=\"fd00::2\"} 5",
		"xdpsec_sa_bytes_total{slot=\"7\",direction=\"tx\",proto=\"ah\","
		"src=\"fd00::1\",dst=\"fd00::2\"} 640",
	};
	size_t i;

	s->fail_after = -1;
	assert_int_equal(render(s, 1 << 16, -1), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!has_line(s->buf, want[i]))
			fail_msg("missing line: %s", want[i]);
	}
	/* drop reasons are not families of their own; empty rows not shown */
	assert_null(strstr(s->buf, "xdpsec_drop_bad_icv"));
	assert_null(strstr(s->buf, "worker=\"0\""));
	assert_null(strstr(s->buf, "} 99\n"));
	free(s);
}

static int name_ok(const char *p, size_t n)
{
	size_t i;

	if (!n || !(isalpha((unsigned char)p[0]) || p[0] == '_' || p[0] == ':'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' && p[i] != ':')
			return 0;
	return 1;
}

/* One sample line: name{k="v",...} value; returns the name length. */
static size_t parse_sample(const char *l)
{
	size_t n = strcspn(l, "{ ");
	const char *p = l + n;

	assert_true(name_ok(l, n));
	if (*p == '{') {
		while (*++p != '}') {
			size_t k = strcspn(p, "=");

			assert_true(name_ok(p, k));
			p += k;
			assert_int_equal(p[1], '"');
			for (p += 2; *p != '"'; p++) {
				assert_true(*p && *p != '\n');
				if (*p == '\\')
					p++;
			}
			if (p[1] == ',')
				p++;
		}
		p++;
	}
	assert_int_equal(*p, ' ');
	for (p++; *p; p++)
		assert_true(isdigit((unsigned char)*p));
	return n;
}

static void test_well_formed(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));
	char typed[64][64], *line, *save;
	size_t ntyped = 0, i, n, samples = 0;

	s->fail_after = -1;
	assert_int_equal(render(s, 1 << 16, -1), 0);
	assert_true(s->len > 0 && s->buf[s->len - 1] == '\n');
	for (line = strtok_r(s->buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# TYPE ", 7)) {
			assert_true(ntyped < 64);
			assert_non_null(strstr(line, " counter"));
			n = strcspn(line + 7, " ");
			for (i = 0; i < ntyped; i++) /* one TYPE per family */
				assert_false(strlen(typed[i]) == n &&
					     !strncmp(typed[i], line + 7, n));
			snprintf(typed[ntyped++], 64, "%.*s", (int)n, line + 7);
			continue;
		}
		if (line[0] == '#')
			continue;
		n = parse_sample(line);
		samples++;
		/* the last TYPE seen is this sample's family */
		assert_true(ntyped > 0);
		assert_int_equal(strlen(typed[ntyped - 1]), n);
		assert_memory_equal(typed[ntyped - 1], line, n);
	}
	assert_true(samples > XS_CNT_MAX);
	free(s);
}

/* The bytes do not depend on the buffer size (flush boundaries). */
static void test_small_buffers(void **state)
{
	struct sink *ref = calloc(1, sizeof(*ref)), *s = calloc(1, sizeof(*s));
	static const size_t caps[] = { 1, 7, 64, 255, 4096 };
	size_t i;

	ref->fail_after = -1;
	assert_int_equal(render(ref, 1 << 16, -1), 0);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		memset(s, 0, sizeof(*s));
		s->fail_after = -1;
		assert_int_equal(render(s, caps[i], -1), 0);
		assert_int_equal(s->len, ref->len);
		assert_memory_equal(s->buf, ref->buf, ref->len);
	}
	free(ref);
	free(s);
}

static void test_errors(void **state)
{
	struct sink *s = calloc(1, sizeof(*s));

	/* a sink that fails: the error sticks, nothing more is written */
	s->fail_after = 2;
	assert_int_equal(render(s, 64, -1), -EPIPE);
	assert_int_equal(s->flushes, 2);
	assert_int_equal(s->len, 128);
	/* an SA source that fails is reported */
	memset(s, 0, sizeof(*s));
	s->fail_after = -1;
	assert_int_equal(render(s, 4096, 1), -EIO);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_well_formed),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
