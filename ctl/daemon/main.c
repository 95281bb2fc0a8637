// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpsecd: load and attach the datapath, apply a setkey file, serve PF_KEY.
 *
 * Start-up order matters: the PF_KEY socket is created last, once the
 * programs are attached and -f is applied, so "the socket exists" means
 * "ready".  On SIGTERM/SIGINT the daemon exits and leaves the programs
 * attached and the maps pinned (fail closed); `xdpsecd --detach` removes
 * everything.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "conf.h"
#include "esp_crypto.h"
#include "loader.h"
#include "netlink.h"
#include "pfkey.h"
#include "pfkey_sock.h"
#include "satab.h"
#include "worker.h"
#include "../lib/log.h"

struct daemon {
	struct xs_loader ld;
	struct xs_sadb *sadb;
	struct xs_spd *spd;
	struct xs_pfkey *pk;
	struct xs_pfkey_sock *sock;
	struct xs_satab *satab;
	struct xs_workers *workers;
	struct xs_conf conf;
	struct xs_dp nodp; /* the SPD's maps until it takes over (resync) */
	pthread_rwlock_t spd_lock; /* workers read the SPD, PF_KEY writes */
	int epfd, sigfd, timerfd;
	int acqfd; /* the acquire ring buffer map */
	gid_t group; /* --pfkey-group */
	struct ring_buffer *acq; /* its consumer */
	bool opt_debug; /* -d: debug log whatever the knobs say */
	bool knob_debug; /* the debug knobs turned it on */
};

/* epoll data.ptr of the lifetime timer and of the acquire ring buffer */
static int timer_tag, acquire_tag;

/* An SA was added, updated or removed: tell the workers. */
static int d_sa_notify(void *arg, uint32_t slot, const struct xs_sa *sa)
{
	struct daemon *d = arg;
	struct xs_sa_rt *rt;
	int err;

	if (!sa)
		return xs_satab_clear(d->satab, slot);
	rt = xs_sa_rt_new(sa, slot);
	if (!rt)
		return -errno;
	err = xs_satab_set(d->satab, slot, rt);
	if (err)
		xs_sa_rt_free(rt);
	return err;
}

/* One PF_KEY request, with the workers kept consistent. */
static void d_handle(void *arg, struct xs_pfkey_peer *from, const void *msg,
		     size_t len)
{
	struct daemon *d = arg;

	pthread_rwlock_wrlock(&d->spd_lock);
	xs_pfkey_handle(d->pk, from, msg, len);
	pthread_rwlock_unlock(&d->spd_lock);
	xs_satab_reclaim(d->satab);
}

static struct daemon *the_daemon;

/* Once a second: SA lifetimes (SADB_EXPIRE, hard expiry deletes) and
 * policy lifetimes (SADB_X_SPDEXPIRE). */
/* The debug knobs (net.inet.ipsec.debug, net.inet6.ipsec6.debug) turn
 * the debug log on as -d does; the datapath's trace follows them too. */
static void d_debug_knob(struct daemon *d)
{
	struct xs_config c;
	bool on;

	if (d->opt_debug || xs_dp_config_get(&d->ld.dp, &c))
		return;
	on = c.ip4_debug || c.ip6_debug;
	if (on != d->knob_debug) {
		xs_log_set_max(on ? XS_LOG_DEBUG : XS_LOG_INFO);
		xs_log_info("debug logging %s (sysctl debug knob)",
			    on ? "on" : "off");
		d->knob_debug = on;
	}
}

static void d_tick(struct daemon *d)
{
	struct timespec until;
	uint64_t n;

	if (read(d->timerfd, &n, sizeof(n)) != sizeof(n))
		return;
	d_debug_knob(d);
	/* before taking the SPD lock: a stuck worker may hold it, and the
	 * lock is only waited for until the next tick, so the check keeps
	 * running */
	xs_workers_check(d->workers);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 1;
	if (pthread_rwlock_timedwrlock(&d->spd_lock, &until)) {
		xs_log_warn("lifetimes not checked: the SPD lock is held");
		return;
	}
	xs_pfkey_expire(d->pk);
	xs_pfkey_spd_expire(d->pk);
	pthread_rwlock_unlock(&d->spd_lock);
	xs_satab_reclaim(d->satab);
}

/* One record of the acquire ring buffer: SADB_ACQUIRE. */
static int d_acquire(void *ctx, void *data, size_t size)
{
	struct daemon *d = ctx;

	const struct xs_acquire_ev *ev = data;
	int err;

	if (size < sizeof(struct xs_acquire_ev))
		return 0;
	xs_log_debug("datapath event %u: policy %u, request %u, ifindex %u",
		     ev->kind, ev->policy_id, ev->req, ev->sa.reqid);
	if (ev->kind == XS_EV_RESOLVE) {
		err = xs_nl_neigh_resolve((int)ev->sa.reqid, ev->sa.family,
					  ev->sa.daddr);
		if (err)
			xs_log_warn(
				"resolving a tunnel next hop on ifindex %u: %s",
				ev->sa.reqid, strerror(-err));
		return 0;
	}
	if (ev->kind != XS_EV_ACQUIRE)
		return 0;
	pthread_rwlock_wrlock(&d->spd_lock);
	xs_pfkey_acquire(d->pk, data);
	pthread_rwlock_unlock(&d->spd_lock);
	return 0;
}

/* Consume the pinned acquire ring buffer from epfd. */
static int add_acquire(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &acquire_tag };
	char path[sizeof(d->ld.pin_dir) + 16];

	snprintf(path, sizeof(path), "%s/acquire", d->ld.pin_dir);
	d->acqfd = bpf_obj_get(path);
	if (d->acqfd < 0)
		return -errno;
	d->acq = ring_buffer__new(d->acqfd, d_acquire, d, NULL);
	if (!d->acq)
		return -errno;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(d->acq),
		      &ev))
		return -errno;
	return 0;
}

/* The 1 s lifetime timer, registered with epfd. */
static int add_timer(struct daemon *d)
{
	struct itimerspec its = { .it_interval = { 1, 0 },
				  .it_value = { 1, 0 } };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &timer_tag };

	d->timerfd =
		timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL) ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->timerfd, &ev))
		return -errno;
	return 0;
}

/* PF_KEY output: the -f file's peer is answered in-process. */
static int d_send(void *ctx, struct xs_pfkey_peer *to, const void *msg,
		  size_t len)
{
	struct daemon *d = ctx;

	if (to == &xs_conf_peer) {
		xs_conf_reply(msg, len);
		return 0;
	}
	if (!d->sock)
		return -EPIPE;
	return xs_pfkey_sock_ops.send(d->sock, to, msg, len);
}

static int d_foreach(void *ctx, int (*cb)(struct xs_pfkey_peer *, void *),
		     void *arg)
{
	struct daemon *d = ctx;

	if (!d->sock)
		return 0;
	return xs_pfkey_sock_ops.foreach_peer(d->sock, cb, arg);
}

static const struct xs_pfkey_ops d_ops = {
	.send = d_send,
	.foreach_peer = d_foreach,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xdpsecd -i IFACE [-i IFACE...] [-f FILE] [options]\n"
		"       xdpsecd --detach [--pin-dir DIR]\n"
		"  -i, --interface IFACE   protect IFACE (repeatable)\n"
		"  -f, --file FILE         apply a setkey(8) file at start "
		"(mode 0600)\n"
		"      --pfkey-socket PATH PF_KEY socket (default %s,\n"
		"                          or $XDPSEC_PFKEY_SOCKET)\n"
		"      --pin-dir DIR       bpffs pin directory (default %s)\n"
		"      --enc NAME          enc interface name (default %s)\n"
		"      --attached          ip link / tc attached the NIC programs\n"
		"                          (--pin-dir: where iproute2 pinned the\n"
		"                          maps, e.g. /sys/fs/bpf/tc/globals)\n"
		"      --pfkey-group GROUP also accept PF_KEY peers in GROUP\n"
		"                          (socket mode 0660, group GROUP)\n"
		"      --cgroup PATH       cgroup v2 for per-socket policy\n"
		"                          (default: the cgroup v2 mount)\n"
		"      --enc-rps MASK      CPUs (hex mask, as rps_cpus) that take\n"
		"                          decrypted packets into the stack\n"
		"                          (default: the worker's own CPU)\n"
		"      --crypto NAME       ESP crypto backend: openssl or ipsec-mb\n"
		"                          (AES-GCM, ChaCha20-Poly1305; others\n"
		"                          stay on openssl; default %s)\n"
		"      --detach            remove programs, enc pair and pins\n"
		"  -d, --debug             debug logging\n"
		"  -h, --help              this text\n",
		XS_PFKEY_SOCK_DEFAULT, XS_PIN_DIR_DEFAULT, XS_ENC_NAME_DEFAULT,
		xs_esp_backend_name(XS_BACKEND_DEFAULT));
}

struct opts {
	const char *ifaces[XS_MAX_IFACES - 1];
	int nif;
	const char *file;
	const char *sock;
	const char *pin_dir;
	const char *enc;
	const char *group;
	const char *cgroup;
	const char *enc_rps; /* --enc-rps */
	int detach, debug, attached;
	enum xs_esp_backend crypto; /* --crypto */
	int fault_worker, fault_stall_s, fault_exit; /* --test-fault */
};

/* Hidden --test-fault stall:ID:SECONDS or exit:ID (see worker.h). */
static int parse_fault(const char *arg, struct opts *o)
{
	int id, sec, n = 0;

	if (sscanf(arg, "stall:%d:%d%n", &id, &sec, &n) == 2 && !arg[n] &&
	    id >= 0 && id < XS_MAX_WORKERS && sec > 0 && sec <= 600) {
		o->fault_stall_s = sec;
	} else if (sscanf(arg, "exit:%d%n", &id, &n) == 1 && !arg[n] &&
		   id >= 0 && id < XS_MAX_WORKERS) {
		o->fault_exit = 1;
	} else {
		fprintf(stderr, "xdpsecd: bad --test-fault %s\n", arg);
		return -1;
	}
	o->fault_worker = id + 1;
	return 0;
}

/* A cpumask as sysfs writes it: hex digits in comma-separated groups,
 * not all zero. */
static bool cpumask_ok(const char *m)
{
	size_t n = strlen(m);
	bool set = false;
	const char *p;

	if (!n || n >= sizeof(the_daemon->ld.enc_rps) || *m == ',' ||
	    m[n - 1] == ',')
		return false;
	for (p = m; *p; p++) {
		if (*p == ',')
			continue;
		if (!isxdigit((unsigned char)*p))
			return false;
		set |= *p != '0';
	}
	return set;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum {
		O_SOCK = 256,
		O_PIN,
		O_ENC,
		O_DETACH,
		O_ATTACHED,
		O_GROUP,
		O_FAULT,
		O_CGROUP,
		O_CRYPTO,
		O_ENC_RPS
	};
	static const struct option lopts[] = {
		{ "interface", required_argument, NULL, 'i' },
		{ "file", required_argument, NULL, 'f' },
		{ "pfkey-socket", required_argument, NULL, O_SOCK },
		{ "pin-dir", required_argument, NULL, O_PIN },
		{ "enc", required_argument, NULL, O_ENC },
		{ "detach", no_argument, NULL, O_DETACH },
		{ "attached", no_argument, NULL, O_ATTACHED },
		{ "pfkey-group", required_argument, NULL, O_GROUP },
		{ "test-fault", required_argument, NULL, O_FAULT },
		{ "cgroup", required_argument, NULL, O_CGROUP },
		{ "crypto", required_argument, NULL, O_CRYPTO },
		{ "enc-rps", required_argument, NULL, O_ENC_RPS },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	o->sock = getenv("XDPSEC_PFKEY_SOCKET");
	if (!o->sock || !*o->sock)
		o->sock = XS_PFKEY_SOCK_DEFAULT;
	o->pin_dir = XS_PIN_DIR_DEFAULT;
	o->enc = XS_ENC_NAME_DEFAULT;
	o->crypto = XS_BACKEND_DEFAULT;
	while ((c = getopt_long(argc, argv, "i:f:dh", lopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (o->nif ==
			    (int)(sizeof(o->ifaces) / sizeof(o->ifaces[0]))) {
				fprintf(stderr, "xdpsecd: too many -i\n");
				return -1;
			}
			o->ifaces[o->nif++] = optarg;
			break;
		case 'f':
			o->file = optarg;
			break;
		case O_SOCK:
			o->sock = optarg;
			break;
		case O_PIN:
			o->pin_dir = optarg;
			break;
		case O_ENC:
			o->enc = optarg;
			break;
		case O_DETACH:
			o->detach = 1;
			break;
		case O_ATTACHED:
			o->attached = 1;
			break;
		case O_GROUP:
			o->group = optarg;
			break;
		case O_FAULT:
			if (parse_fault(optarg, o))
				return -1;
			break;
		case O_CGROUP:
			o->cgroup = optarg;
			break;
		case O_ENC_RPS:
			if (!cpumask_ok(optarg)) {
				fprintf(stderr, "xdpsecd: bad --enc-rps %s\n",
					optarg);
				return -1;
			}
			o->enc_rps = optarg;
			break;
		case O_CRYPTO:
			if (xs_esp_backend_parse(optarg, &o->crypto)) {
				fprintf(stderr, "xdpsecd: bad --crypto %s\n",
					optarg);
				return -1;
			}
			break;
		case 'd':
			o->debug = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || (!o->detach && !o->nif)) {
		usage(stderr);
		return -1;
	}
	if (strlen(o->pin_dir) >= sizeof(the_daemon->ld.pin_dir) ||
	    strlen(o->enc) >= sizeof(the_daemon->ld.enc_name) - 1 ||
	    (o->cgroup && strlen(o->cgroup) >= sizeof(the_daemon->ld.cgroup))) {
		fprintf(stderr,
			"xdpsecd: --pin-dir, --enc or --cgroup too long\n");
		return -1;
	}
	return 0;
}

static int start_workers(struct daemon *d, const struct opts *o)
{
	uint32_t slots[XS_MAX_IFACES];
	struct xs_workers_cfg cfg = {
		.satab = d->satab,
		.spd = d->spd,
		.spd_lock = &d->spd_lock,
		.dp = &d->ld.dp,
		.wstats = d->ld.wstats,
		.sa_stats = d->ld.sa_stats,
		.nic = d->ld.nic,
		.nic_slot = slots,
		.nnic = d->ld.nnic,
		.encw = &d->ld.encw,
		.encw_slot = d->ld.encw_slot,
		.enc = &d->ld.enc,
		.fault_worker = o->fault_worker,
		.fault_stall_s = o->fault_stall_s,
		.fault_exit = o->fault_exit,
	};
	int i;

	for (i = 0; i < d->ld.nnic; i++)
		slots[i] = d->ld.nic_slot[i];
	d->workers = xs_workers_start(&cfg);
	if (!d->workers) {
		xs_log_err("starting crypto workers: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int setup(struct daemon *d, const struct opts *o)
{
	uint32_t nq = 1;
	sigset_t mask;
	int i, err;

	if (o->group) {
		err = xs_pfkey_group_lookup(o->group, &d->group);
		if (err) {
			xs_log_err("--pfkey-group %s: %s", o->group,
				   err == -ENOENT ? "no such group" :
						    strerror(-err));
			return err;
		}
	}
	/* a bad or readable key file is refused before anything changes */
	if (o->file) {
		err = xs_conf_read(&d->conf, o->file);
		if (err)
			return err;
	}
	snprintf(d->ld.pin_dir, sizeof(d->ld.pin_dir), "%s", o->pin_dir);
	snprintf(d->ld.enc_name, sizeof(d->ld.enc_name), "%s", o->enc);
	d->ld.attached = o->attached;
	if (o->cgroup)
		snprintf(d->ld.cgroup, sizeof(d->ld.cgroup), "%s", o->cgroup);
	if (o->enc_rps)
		snprintf(d->ld.enc_rps, sizeof(d->ld.enc_rps), "%s",
			 o->enc_rps);
	err = xs_loader_load(&d->ld);
	if (err)
		return err;
	for (i = 0; !err && i < o->nif; i++) {
		err = xs_loader_attach_nic(&d->ld, o->ifaces[i]);
		if (!err && d->ld.nic[i].nq > nq)
			nq = d->ld.nic[i].nq;
	}
	/* until the enc pair exists, TC drops what needs protecting */
	if (!err)
		err = xs_loader_setup_enc(&d->ld, nq);
	if (!err)
		err = xs_loader_attach_cgroup(&d->ld);
	if (err)
		return err;

	d->satab = xs_satab_new();
	d->sadb = xs_sadb_new(&d->ld.dp, XS_MAX_SA);
	/* the SPD is built in memory first: the previous run's rules stay
	 * enforced until xs_spd_resync() replaces them in one flip */
	xs_dp_init_none(&d->nodp);
	d->spd = xs_spd_new(&d->nodp, XS_MAX_POLICY);
	d->pk = d->sadb && d->spd && d->satab ?
			xs_pfkey_new(d->sadb, d->spd, &d_ops, d) :
			NULL;
	if (!d->pk)
		return -ENOMEM;
	xs_sadb_set_notify(d->sadb, d_sa_notify, d);
	err = start_workers(d, o);
	if (err)
		return err;
	if (o->file) {
		pthread_rwlock_wrlock(&d->spd_lock);
		err = xs_conf_apply(d->pk, &d->conf);
		pthread_rwlock_unlock(&d->spd_lock);
		xs_satab_reclaim(d->satab);
		xs_conf_free(&d->conf);
		if (err)
			return err;
	}
	err = xs_spd_resync(d->spd, &d->ld.dp);
	if (err) {
		xs_log_err("writing the SPD to the datapath: %s",
			   strerror(-err));
		return err;
	}
	if (o->file) {
		xs_log_info("applied %s: %zu SAs, %zu policies", o->file,
			    xs_sadb_count(d->sadb, SADB_SATYPE_UNSPEC),
			    xs_spd_count(d->spd));
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->epfd < 0)
		return -errno;
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sigfd, &ev))
			return -errno;
	}
	err = add_timer(d);
	if (!err)
		err = add_acquire(d);
	if (err) {
		xs_log_err("lifetime timer or acquire ring: %s",
			   strerror(-err));
		return err;
	}
	/* last: the socket's existence means "ready" */
	d->sock = xs_pfkey_sock_new(o->sock, d->epfd);
	if (!d->sock) {
		err = -errno;
		xs_log_err("PF_KEY socket %s: %s", o->sock, strerror(errno));
		return err;
	}
	if (o->group) {
		err = xs_pfkey_sock_allow_group(d->sock, d->group);
		if (err) {
			xs_log_err("PF_KEY socket group %s: %s", o->group,
				   strerror(-err));
			return err;
		}
	}
	xs_pfkey_sock_attach(d->sock, d_handle, d);
	xs_log_info("ready: PF_KEY on %s", o->sock);
	return 0;
}

static int run(struct daemon *d)
{
	struct epoll_event evs[32];
	struct signalfd_siginfo si;
	int i, n;

	for (;;) {
		n = epoll_wait(d->epfd, evs, 32, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &timer_tag) {
				d_tick(d);
				continue;
			}
			if (evs[i].data.ptr == &acquire_tag) {
				ring_buffer__consume(d->acq);
				continue;
			}
			if (evs[i].data.ptr) {
				xs_pfkey_sock_event(d->sock, &evs[i]);
				continue;
			}
			if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
				continue;
			if (si.ssi_signo == SIGHUP) {
				xs_log_info("SIGHUP: nothing to reload "
					    "(use setkey)");
				continue;
			}
			xs_log_info("signal %u: exiting; programs stay "
				    "attached (fail closed), use --detach "
				    "to remove them",
				    si.ssi_signo);
			return 0;
		}
	}
}

static void teardown(struct daemon *d)
{
	xs_conf_free(&d->conf);
	xs_pfkey_sock_free(d->sock);
	/* stop the workers first: sockets close, the datapath drops what
	 * needs protecting from now on (fail closed) */
	xs_workers_stop(d->workers);
	xs_pfkey_free(d->pk);
	/* SAs and policies stay in the pinned maps: the datapath keeps
	 * enforcing them (dropping what needs a worker) until restart or
	 * detach.  Closing the maps first makes the frees below leave
	 * them alone. */
	xs_loader_close(&d->ld);
	xs_sadb_free(d->sadb); /* wipes the keys */
	xs_spd_free(d->spd);
	xs_satab_reclaim(d->satab);
	xs_satab_free(d->satab); /* wipes the workers' copies */
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->timerfd >= 0)
		close(d->timerfd);
	ring_buffer__free(d->acq);
	if (d->acqfd >= 0)
		close(d->acqfd);
}

/* Before any worker exists: the backend is process-wide.  No fallback: an
 * ipsec-mb that cannot run here is an error. */
static int crypto_init(enum xs_esp_backend b)
{
	const char *arch = "";
	int err = xs_esp_backend_set(b, &arch);

	if (err) {
		xs_log_err("--crypto %s: %s (no usable ipsec-mb code path)",
			   xs_esp_backend_name(b), strerror(-err));
		return err;
	}
	xs_log_info("crypto backend %s%s%s", xs_esp_backend_name(b),
		    *arch ? ", " : "", arch);
	return 0;
}

int main(int argc, char **argv)
{
	struct daemon d = {
		.epfd = -1, .sigfd = -1, .timerfd = -1, .acqfd = -1
	};
	struct opts o = { 0 };
	sigset_t mask;
	int err;

	/* before any thread exists: the workers inherit the mask, so only
	 * the signalfd sees these */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	/* keys live in this process (the SADB, the workers' SA pages): no
	 * core dump, no ptrace by anyone but root, as ssh-agent does */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	pthread_rwlock_init(&d.spd_lock, NULL);
	the_daemon = &d;
	if (parse_opts(argc, argv, &o))
		return 2;
	xs_log_init("xdpsecd", o.debug ? XS_LOG_DEBUG : XS_LOG_INFO);
	d.opt_debug = o.debug;
	if (o.detach)
		return xs_loader_detach(o.pin_dir) ? 1 : 0;
	if (crypto_init(o.crypto))
		return 1;
	err = setup(&d, &o);
	if (!err)
		err = run(&d);
	teardown(&d);
	return err ? 1 : 0;
}
