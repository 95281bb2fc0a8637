// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpsecd -f FILE.  See conf.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/crypto.h>
#include "conf.h"
#include "../lib/log.h"
#include "../lib/pfkey_msg.h"
#include "../setkey/parse.h"

struct xs_pfkey_peer xs_conf_peer = { .id = 0, .pid = 0 };

static int conf_errno; /* errno of the last reply to xs_conf_peer */

void xs_conf_reply(const void *msg, size_t len)
{
	const struct sadb_msg *h = msg;

	if (len >= sizeof(*h) && h->sadb_msg_errno && !conf_errno)
		conf_errno = h->sadb_msg_errno;
}

struct apply_ctx {
	struct xs_pfkey *pk;
	const char *path;
	uint32_t seq;
	uint8_t *buf;
};

static int apply_cmd(const struct xs_setkey_cmd *cmd, void *arg)
{
	struct apply_ctx *c = arg;
	struct xs_msgbuf b;
	int len;

	if (cmd->op == XS_SK_DUMP || cmd->op == XS_SK_SPDDUMP)
		return 0; /* nothing to print to */
	if (cmd->op == XS_SK_DELETEALL) {
		/* setkey does it as a dump + deletes; a start-up file has
		 * nothing to delete */
		xs_log_err("%s:%d: deleteall is not supported in a start-up "
			   "file; use setkey",
			   c->path, cmd->line);
		return -EOPNOTSUPP;
	}
	xs_msgbuf_init(&b, c->buf, XS_PFKEY_MSG_MAX);
	len = xs_setkey_cmd_encode(cmd, &b, ++c->seq, (uint32_t)getpid());
	if (len < 0) {
		xs_log_err("%s:%d: cannot encode: %s", c->path, cmd->line,
			   strerror(-len));
		return len;
	}
	conf_errno = 0;
	xs_pfkey_handle(c->pk, &xs_conf_peer, c->buf, (size_t)len);
	OPENSSL_cleanse(c->buf, (size_t)len);
	if (conf_errno) {
		xs_log_err("%s:%d: %s", c->path, cmd->line,
			   strerror(conf_errno));
		return -conf_errno;
	}
	return 0;
}

/* Read a whole file that only its owner (root) may read. */
static char *read_secret_file(const char *path, size_t *len)
{
	struct stat st;
	char *text = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st))
		goto fail;
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		xs_log_err("%s: owned by uid %d, refusing", path,
			   (int)st.st_uid);
		errno = EPERM;
		goto fail;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		xs_log_err("%s: group/world accessible (mode %03o); it may "
			   "hold keys: chmod 600 it",
			   path, (unsigned int)(st.st_mode & 0777));
		errno = EPERM;
		goto fail;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		goto fail;
	n = read(fd, text, (size_t)st.st_size);
	if (n < 0)
		goto fail;
	text[n] = '\0';
	*len = (size_t)n;
	close(fd);
	return text;
fail:
	n = errno;
	free(text);
	if (fd >= 0)
		close(fd);
	errno = (int)n;
	return NULL;
}

int xs_conf_read(struct xs_conf *c, const char *path)
{
	int err;

	c->path = path;
	c->text = read_secret_file(path, &c->len);
	if (c->text)
		return 0;
	err = -errno;
	xs_log_err("%s: %s", path, strerror(errno));
	return err;
}

void xs_conf_free(struct xs_conf *c)
{
	if (c->text)
		OPENSSL_cleanse(c->text, c->len);
	free(c->text);
	c->text = NULL;
	c->len = 0;
}

int xs_conf_apply(struct xs_pfkey *pk, const struct xs_conf *conf)
{
	struct apply_ctx c = { .pk = pk, .path = conf->path };
	char err[512] = "";
	int ret;

	c.buf = malloc(XS_PFKEY_MSG_MAX);
	if (!c.buf)
		return -ENOMEM;
	ret = xs_setkey_parse(conf->text, conf->len, conf->path, apply_cmd, &c,
			      err, sizeof(err));
	if (ret && err[0])
		xs_log_err("%s", err);
	free(c.buf);
	return ret;
}
