// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * setkey: KAME setkey(8) for xdpsecd.  Commands come from -f FILE or -c
 * (stdin), or are one of -D, -DP, -F, -FP; -a is -D (there are no dead
 * SAs to add), -x monitors in ipsec-tools' format (-xx epoch times, -H
 * hexdump, -T N: for N seconds, an xdpsec extension).  Each command is
 * sent as it is parsed; a command the daemon refuses is reported as
 * "file:line: <command> failed: <error>" and the rest still runs, as KAME
 * setkey does; the exit status is 1 if anything failed (parse errors stop
 * the file there).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include "client.h"
#include "monitor.h"
#include "parse.h"
#include "print.h"

#define INPUT_MAX (16u << 20) /* largest -f/-c input */

struct setkey {
	struct xs_skclient cl;
	const char *fname;
	bool verbose;
	bool failed;
	bool keys; /* some add command was seen */
	uint8_t *msg;
	size_t nsa, capsa; /* deleteall's victims */
	struct xs_sa *victims;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: setkey [-v] -c\n"
		   "       setkey [-v] -f file\n"
		   "       setkey [-v] -D [-P] | -a\n"
		   "       setkey [-H] -x[x] [-T seconds]\n"
		   "       setkey [-v] -F [-P]\n"
		   "PF_KEY socket: $" XS_PFKEY_SOCKET_ENV
		   " (default " XS_PFKEY_SOCKET_DEFAULT ")\n");
}

static int print_sa_cb(const struct xs_pfkey_msg *m, void *arg)
{
	struct xs_sa sa = { 0 };
	int ret = xs_pfkey_get_sa(m, &sa);

	if (ret)
		printf("(bad SA reply: %s)\n", strerror(-ret));
	else
		xs_setkey_print_sa(stdout, &sa, time(NULL));
	xs_sa_wipe(&sa);
	return 0;
}

static int print_sp_cb(const struct xs_pfkey_msg *m, void *arg)
{
	struct xs_spolicy sp = { 0 };
	int ret = xs_pfkey_get_policy(m, &sp);

	if (ret)
		printf("(bad policy reply: %s)\n", strerror(-ret));
	else
		xs_setkey_print_policy(stdout, &sp);
	return 0;
}

/* Encode cmd, send it, print what it returns. */
static int request(struct setkey *sk, const struct xs_setkey_cmd *cmd,
		   int (*cb)(const struct xs_pfkey_msg *m, void *arg),
		   void *arg)
{
	struct xs_msgbuf b;
	int len, ret;

	xs_msgbuf_init(&b, sk->msg, XS_PFKEY_MSG_MAX);
	len = xs_setkey_cmd_encode(cmd, &b, ++sk->cl.seq, sk->cl.pid);
	if (len < 0)
		return len;
	if (sk->verbose)
		fprintf(stderr, "setkey: %s: sending %s (%d bytes)\n",
			xs_setkey_op_name(cmd->op),
			xs_pfkey_type_name(
				((struct sadb_msg *)sk->msg)->sadb_msg_type),
			len);
	ret = xs_skclient_request(&sk->cl, sk->msg, (size_t)len, cb, arg);
	OPENSSL_cleanse(sk->msg, (size_t)len); /* an add carries keys */
	return ret;
}

static int collect_cb(const struct xs_pfkey_msg *m, void *arg)
{
	struct setkey *sk = arg;
	struct xs_sa sa = { 0 };
	void *n;

	if (xs_pfkey_get_sa(m, &sa))
		return 0;
	xs_sa_wipe(&sa);
	if (sk->nsa == sk->capsa) {
		n = realloc(sk->victims, (sk->capsa * 2 + 16) * sizeof(sa));
		if (!n)
			return -ENOMEM;
		sk->victims = n;
		sk->capsa = sk->capsa * 2 + 16;
	}
	sk->victims[sk->nsa++] = sa;
	return 0;
}

/* deleteall: dump the protocol, delete each SA between the two hosts. */
static int deleteall(struct setkey *sk, const struct xs_setkey_cmd *cmd)
{
	struct xs_setkey_cmd del;
	size_t i;
	int ret;

	sk->nsa = 0;
	ret = request(sk, cmd, collect_cb, sk);
	if (ret == -ENOENT)
		return 0;
	for (i = 0; !ret && i < sk->nsa; i++) {
		if (!xs_setkey_deleteall_match(cmd, &sk->victims[i]))
			continue;
		del = *cmd;
		del.op = XS_SK_DELETE;
		del.sa.spi = sk->victims[i].spi;
		ret = request(sk, &del, NULL, NULL);
		if (ret == -ENOENT) /* gone meanwhile */
			ret = 0;
	}
	return ret;
}

static int run(struct setkey *sk, const struct xs_setkey_cmd *cmd)
{
	int ret;

	switch (cmd->op) {
	case XS_SK_DELETEALL:
		return deleteall(sk, cmd);
	case XS_SK_GET:
		return request(sk, cmd, print_sa_cb, NULL);
	case XS_SK_DUMP:
		ret = request(sk, cmd, print_sa_cb, NULL);
		if (ret == -ENOENT)
			printf("No SAD entries.\n");
		return ret == -ENOENT ? 0 : ret;
	case XS_SK_SPDDUMP:
		ret = request(sk, cmd, print_sp_cb, NULL);
		if (ret == -ENOENT)
			printf("No SPD entries.\n");
		return ret == -ENOENT ? 0 : ret;
	default:
		return request(sk, cmd, NULL, NULL);
	}
}

/* Parser callback: run, report, go on. */
static int run_cb(const struct xs_setkey_cmd *cmd, void *arg)
{
	struct setkey *sk = arg;
	int ret;

	if (cmd->op == XS_SK_ADD)
		sk->keys = true;
	ret = run(sk, cmd);
	fflush(stdout);
	if (ret) {
		fprintf(stderr, "%s:%d: %s failed: %s\n", sk->fname, cmd->line,
			xs_setkey_op_name(cmd->op), strerror(-ret));
		sk->failed = true;
	}
	return 0;
}

/* Whole input into a malloc'd buffer (caller cleanses and frees). */
static int slurp(int fd, char **out, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap >= INPUT_MAX)
				goto toobig;
			cap = cap ? cap * 2 : 8192;
			nb = malloc(cap);
			if (!nb)
				goto nomem;
			if (buf)
				memcpy(nb, buf, n);
			OPENSSL_cleanse(buf, n);
			free(buf);
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			OPENSSL_cleanse(buf, n);
			free(buf);
			return err;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	return 0;
toobig:
	OPENSSL_cleanse(buf, n);
	free(buf);
	return -EFBIG;
nomem:
	OPENSSL_cleanse(buf, n);
	free(buf);
	return -ENOMEM;
}

static int run_input(struct setkey *sk, int fd, const char *fname)
{
	char err[512], *text = NULL;
	struct stat st;
	size_t len = 0;
	int ret;

	ret = slurp(fd, &text, &len);
	if (ret) {
		fprintf(stderr, "setkey: %s: %s\n", fname, strerror(-ret));
		return ret;
	}
	sk->fname = fname;
	ret = xs_setkey_parse(text, len, fname, run_cb, sk, err, sizeof(err));
	OPENSSL_cleanse(text, len);
	free(text);
	if (ret)
		fprintf(stderr, "setkey: %s\n", err);
	if (sk->keys && !fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr,
			"setkey: warning: %s holds keys and is "
			"readable by group/others\n",
			fname);
	return ret;
}

static int run_file(struct setkey *sk, const char *path)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		fprintf(stderr, "setkey: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	ret = run_input(sk, fd, path);
	close(fd);
	return ret;
}

/* -D, -DP, -F, -FP */
static int run_one(struct setkey *sk, enum xs_setkey_op op)
{
	struct xs_setkey_cmd cmd = { .op = op };
	int ret;

	sk->fname = "setkey";
	ret = run(sk, &cmd);
	if (ret) {
		fprintf(stderr, "setkey: %s failed: %s\n",
			xs_setkey_op_name(op), strerror(-ret));
		sk->failed = true;
	}
	return ret;
}

/* -x: SIGINT/SIGTERM end the monitor (poll returns EINTR). */
static void on_signal(int sig)
{
	(void)sig;
}

static int run_monitor(struct setkey *sk, const struct xs_monitor_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int ret;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = xs_setkey_monitor(&sk->cl, o, stdout);
	if (ret)
		fprintf(stderr, "setkey: -x: %s\n", strerror(-ret));
	return ret;
}

int main(int argc, char **argv)
{
	struct setkey sk = { .failed = false };
	bool dump = false, flush = false, pol = false, cmds = false;
	struct xs_monitor_opts mo = { 0, 0, false };
	const char *file = NULL;
	int c, ret;

	while ((c = getopt(argc, argv, "acf:DFHPT:vxh")) != -1) {
		switch (c) {
		case 'c':
			cmds = true;
			break;
		case 'f':
			file = optarg;
			break;
		case 'a':
		case 'D':
			dump = true;
			break;
		case 'x':
			mo.tflag++;
			break;
		case 'H':
			mo.hexdump = true;
			break;
		case 'T':
			mo.seconds = atoi(optarg);
			if (mo.seconds <= 0) {
				usage(stderr);
				return 1;
			}
			break;
		case 'F':
			flush = true;
			break;
		case 'P':
			pol = true;
			break;
		case 'v':
			sk.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc ||
	    (cmds + !!file + dump + flush + !!mo.tflag) != 1 ||
	    (pol && !dump && !flush) ||
	    ((mo.seconds || mo.hexdump) && !mo.tflag)) {
		usage(stderr);
		return 1;
	}
	sk.msg = malloc(XS_PFKEY_MSG_MAX);
	if (!sk.msg)
		return 1;
	ret = xs_skclient_open(&sk.cl, NULL);
	if (ret) {
		const char *p = getenv(XS_PFKEY_SOCKET_ENV);

		fprintf(stderr,
			"setkey: connect %s: %s (is xdpsecd running?)\n",
			p && *p ? p : XS_PFKEY_SOCKET_DEFAULT, strerror(-ret));
		free(sk.msg);
		return 1;
	}
	if (mo.tflag)
		ret = run_monitor(&sk, &mo);
	else if (file)
		ret = run_file(&sk, file);
	else if (cmds)
		ret = run_input(&sk, STDIN_FILENO, "stdin");
	else if (dump)
		ret = run_one(&sk, pol ? XS_SK_SPDDUMP : XS_SK_DUMP);
	else
		ret = run_one(&sk, pol ? XS_SK_SPDFLUSH : XS_SK_FLUSH);
	xs_skclient_close(&sk.cl);
	OPENSSL_cleanse(sk.msg, XS_PFKEY_MSG_MAX);
	free(sk.msg);
	free(sk.victims);
	return ret || sk.failed ? 1 : 0;
}
