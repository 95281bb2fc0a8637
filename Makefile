# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
# xdpsec: IPsec (ESP/AH) datapath on XDP/AF_XDP with a PF_KEY controller.
# `make help` lists the targets.  Output goes to $(O) (default build/);
# quiet unless V=1.  SAN=1 builds the userspace with ASan+UBSan into
# build-asan/ by default.

SAN ?= 0
ifeq ($(SAN),1)
O ?= build-asan
else
O ?= build
endif

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Werror
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -I$(O) -MMD -MP
LDLIBS := $(shell pkg-config --libs libbpf libxdp libcrypto 2>/dev/null || \
		echo -lbpf -lxdp -lcrypto) -lIPSec_MB -lpthread
ifeq ($(SAN),1)
CC := clang
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-Iinclude -Ibpf -I/usr/include/$(shell uname -m)-linux-gnu

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SUFFIXES:

# ---------------------------------------------------------------- sources
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(wildcard ctl/lib/*.c)
# main.c and loader.c embed the BPF skeletons, conf.c needs the setkey
# parser: linked into the programs, not into the library the tests use
SKEL_USERS := ctl/daemon/main.c ctl/daemon/loader.c
DAEMON_PROG_SRCS := $(SKEL_USERS) ctl/daemon/conf.c
DAEMON_SRCS := $(filter-out $(DAEMON_PROG_SRCS),$(wildcard ctl/daemon/*.c))
SETKEY_SRCS := $(filter-out ctl/setkey/main.c,$(wildcard ctl/setkey/*.c))
CTL_SRCS := $(wildcard ctl/xdpsecctl/*.c)
LIBIPSEC_SRCS := $(wildcard ctl/libipsec/*.c)
PRELOAD_SRCS := $(wildcard ctl/preload/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
BPFT_SRCS := $(wildcard tests/bpf/test_*.c)
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
PROG_SRCS := $(wildcard tests/prog/*.c)

objs = $(patsubst %.c,$(O)/%.o,$(1))
LIB_A := $(O)/libxscommon.a
DAEMON_A := $(O)/libxsdaemon.a
SETKEY_A := $(O)/libxssetkey.a
TESTLIB_A := $(O)/libxstest.a
LIBIPSEC_A := $(O)/libxdpsec-ipsec.a

BINS := $(O)/xdpsecd $(O)/setkey $(O)/xdpsecctl $(O)/libxdpsec-pfkey.so \
	$(LIBIPSEC_A)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
BPFT_BINS := $(patsubst tests/bpf/%.c,$(O)/tests/bpf_%,$(BPFT_SRCS))
PROG_BINS := $(patsubst tests/prog/%.c,$(O)/tests/prog_%,$(PROG_SRCS))

PREFIX ?= /usr/local
SBINDIR := $(PREFIX)/sbin
LIBDIR := $(PREFIX)/lib/xdpsec
MANDIR := $(PREFIX)/share/man
UNITDIR := $(PREFIX)/lib/systemd/system
DOCDIR := $(PREFIX)/share/doc/xdpsec

# ---------------------------------------------------------------- targets
.PHONY: all bpf tests test test-unit test-bpf test-e2e demo deps clean \
	help format check-format san install uninstall image

all: $(BINS) $(BPF_OBJS)  ## build daemon, tools, preload library, BPF objects

bpf: $(BPF_OBJS) $(SKELS)  ## build the BPF objects and skeletons only

tests: $(UNIT_BINS) $(BPFT_BINS) $(PROG_BINS)  ## build the test programs

deps:  ## install build/test packages (Debian 12, root; idempotent)
	$(Q)scripts/install-deps.sh

test:  ## the whole suite: deps, build, unit (+ASan), BPF fixtures, e2e
	$(Q)scripts/run-tests.sh

demo:  ## build, install packages, run the two-namespace demo
	$(Q)scripts/demo.sh

san:  ## build the userspace tests with ASan+UBSan (into build-asan/)
	$(Q)$(MAKE) --no-print-directory SAN=1 tests

format:  ## clang-format every C file (kernel style)
	$(Q)clang-format -i $$(git ls-files '*.c' '*.h')

check-format:  ## fail if a file is not clang-formatted
	$(Q)clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

install: all  ## install into $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR)/bpf \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DOCDIR)
	$(Q)install -m 755 $(O)/xdpsecd $(O)/xdpsecctl $(O)/setkey \
		$(DESTDIR)$(SBINDIR)/
	$(Q)install -m 644 $(O)/libxdpsec-pfkey.so $(DESTDIR)$(LIBDIR)/
	$(Q)install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/xdpsec
	$(Q)install -m 644 $(LIBIPSEC_A) $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 644 ctl/libipsec/ipsec_policy.h include/xdpsec/socket.h \
		$(DESTDIR)$(PREFIX)/include/xdpsec/
	$(Q)install -m 644 $(BPF_OBJS) $(DESTDIR)$(LIBDIR)/bpf/
	$(Q)install -m 755 deploy/kubernetes/entrypoint.sh $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	$(Q)install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' deploy/systemd/xdpsecd.service.in \
		> $(DESTDIR)$(UNITDIR)/xdpsecd.service
	$(Q)install -m 644 deploy/systemd/xdpsecd.default README.md \
		$(DESTDIR)$(DOCDIR)/

uninstall:  ## remove what install put in $(DESTDIR)$(PREFIX)
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/xdpsecd $(DESTDIR)$(SBINDIR)/xdpsecctl \
		$(DESTDIR)$(SBINDIR)/setkey $(DESTDIR)$(UNITDIR)/xdpsecd.service
	$(Q)rm -rf $(DESTDIR)$(LIBDIR) $(DESTDIR)$(DOCDIR) \
		$(DESTDIR)$(PREFIX)/include/xdpsec
	$(Q)rm -f $(DESTDIR)$(PREFIX)/lib/libxdpsec-ipsec.a
	$(Q)rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(wildcard man/*.8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(wildcard man/*.5)))

# not part of `make test`: mmdebstrap downloads a Debian root filesystem
image: all  ## OCI image xdpsec:latest (mmdebstrap + buildah; root, network)
	$(Q)scripts/build-image.sh

clean:  ## remove build outputs
	$(Q)rm -rf build build-asan build-fuzz

help:  ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		sed 's/:.*## /\t/' | awk -F'\t' '{printf "  %-14s %s\n", $$1, $$2}'
	@echo "  Variables: V=1 (verbose), O=DIR (output), SAN=1 (ASan+UBSan)"

# ---------------------------------------------------------------- BPF
$(O)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/lib/*.h maps/*.h include/xdpsec/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/%.skel.h: $(O)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

# ---------------------------------------------------------------- userspace
$(O)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(O)/ctl/preload/%.o: ctl/preload/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -c $< -o $@

# the daemon and the BPF tests include skeletons
$(call objs,$(SKEL_USERS) $(BPFT_SRCS) $(TESTLIB_SRCS)): $(SKELS)

%.a:
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(LIB_A): $(call objs,$(LIB_SRCS))
$(DAEMON_A): $(call objs,$(DAEMON_SRCS))
$(SETKEY_A): $(call objs,$(SETKEY_SRCS))
$(TESTLIB_A): $(call objs,$(TESTLIB_SRCS))
# KAME's libipsec policy API: one archive with what it needs
$(LIBIPSEC_A): $(call objs,$(LIBIPSEC_SRCS) $(SETKEY_SRCS) $(LIB_SRCS))

$(O)/xdpsecd: $(call objs,$(DAEMON_PROG_SRCS)) $(DAEMON_A) $(SETKEY_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/setkey: $(call objs,ctl/setkey/main.c) $(SETKEY_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/xdpsecctl: $(call objs,$(CTL_SRCS) ctl/daemon/loader.c) $(DAEMON_A) \
		$(SETKEY_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/libxdpsec-pfkey.so: $(call objs,$(PRELOAD_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -shared $^ -ldl -o $@

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(TESTLIB_A) $(LIBIPSEC_A) $(DAEMON_A) $(SETKEY_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcmocka $(LDLIBS) -o $@

# the metrics formatter lives in xdpsecctl, not in a library
$(O)/tests/test_metrics: $(O)/tests/unit/test_metrics.o \
		$(call objs,ctl/xdpsecctl/metrics.c) $(DAEMON_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcmocka $(LDLIBS) -o $@

$(O)/tests/bpf_test_%: $(O)/tests/bpf/test_%.o $(TESTLIB_A) $(DAEMON_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcmocka $(LDLIBS) -o $@

# small programs used by the e2e tests
$(O)/tests/prog_%: $(O)/tests/prog/%.o $(TESTLIB_A) $(DAEMON_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,--as-needed $^ $(LDLIBS) -o $@

# the per-socket policy programs use KAME's libipsec (ipsec_set_policy)
SOCKPOL_BINS := $(filter $(O)/tests/prog_sockpol_%,$(PROG_BINS))
$(SOCKPOL_BINS): $(O)/tests/prog_%: $(O)/tests/prog/%.o $(LIBIPSEC_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,--as-needed $^ $(LDLIBS) -o $@

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# ---------------------------------------------------------------- bench
# bench/*.c: the programs scripts/bench.sh runs (ceilings, generator,
# classification cost); they may use the BPF test environment.
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRCS))

.PHONY: bench bench-build

bench-build: $(BINS) $(BPF_OBJS) $(BENCH_BINS)  ## build what make bench runs

bench:  ## speed vs ceilings, table + build/bench.json (ARGS="--seconds N ...")
	$(Q)scripts/bench.sh $(ARGS)

# bench/bpf/*.bpf.c: XDP programs of the bench programs, embedded as
# skeletons ($(O)/bench/<name>.skel.h)
BENCH_BPF_SRCS := $(wildcard bench/bpf/*.bpf.c)
BENCH_SKELS := $(patsubst bench/bpf/%.bpf.c,$(O)/bench/%.skel.h,$(BENCH_BPF_SRCS))

$(O)/bench/bpf/%.bpf.o: bench/bpf/%.bpf.c $(wildcard bench/bpf/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/bench/%.skel.h: $(O)/bench/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(call objs,$(BENCH_SRCS)): $(SKELS) $(BENCH_SKELS)

$(BENCH_BINS): $(O)/bench/%: $(O)/bench/%.o $(TESTLIB_A) $(DAEMON_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -Wl,--as-needed $^ $(LDLIBS) -o $@

# ---------------------------------------------------------------- fuzzing
# libFuzzer targets fuzz/fuzz_<name>.c with seed corpora in
# fuzz/corpus/<name>/.  Built with clang (fuzzer + ASan + UBSan) into
# build-fuzz/ from the project sources each needs, listed here (always
# with ctl/lib); the gcc-built build/*.a are not instrumented.
FO := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -O1 -g $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -MMD -MP \
	-fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_SRCS_pfkey := $(addprefix ctl/daemon/,pfkey.c sadb.c sadb_life.c spd.c spd_life.c spd_prune.c \
	spd_resync.c dp.c hash.c secmem.c)
FUZZ_SRCS_setkey := $(SETKEY_SRCS)
FUZZ_SRCS_esp := $(addprefix ctl/daemon/,esp.c esp_crypto.c crypto_mb.c \
	crypto_mb_cbc.c replay.c pkt.c tunnel.c natt.c secmem.c)
FUZZ_SRCS_frag := $(addprefix ctl/daemon/,reasm.c frag.c pkt.c hash.c)
FUZZ_SRCS_policy := $(LIBIPSEC_SRCS) $(SETKEY_SRCS)
FUZZ_SRCS_ah := $(addprefix ctl/daemon/,ah.c esp.c esp_crypto.c crypto_mb.c \
	crypto_mb_cbc.c replay.c pkt.c secmem.c)
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst %,$(FO)/fuzz_%,$(FUZZ_NAMES))
fuzz_objs = $(patsubst %.c,$(FO)/%.o,fuzz/fuzz_$(1).c $(LIB_SRCS) \
	$(FUZZ_SRCS_$(1)))

.PHONY: fuzz fuzz-build fuzz-smoke fuzz-corpus

fuzz-build: $(FUZZ_BINS)  ## build the libFuzzer targets (clang) into build-fuzz/

# the script builds each target itself: one that does not build fails alone
fuzz:  ## build and run each fuzzer FUZZ_SECONDS (60) on a copy of its corpus
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz-smoke.sh

fuzz-smoke:  ## run each fuzzer for 5 s (part of the test suite)
	$(Q)$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=5

fuzz-corpus: $(O)/fuzz/gen_corpus  ## regenerate the generated seed inputs
	$(Q)$< fuzz/corpus

$(FO)/%.o: %.c
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

$(foreach n,$(FUZZ_NAMES),$(eval $(FO)/fuzz_$(n): $(call fuzz_objs,$(n))))
$(FUZZ_BINS):
	$(call msg,LINK,$@)
	$(Q)$(CLANG) $(FUZZ_LDFLAGS) $^ $(LDLIBS) -o $@

$(O)/fuzz/gen_corpus: $(call objs,fuzz/gen_corpus.c $(FUZZ_SRCS_esp) \
		$(FUZZ_SRCS_frag)) \
		$(SETKEY_A) $(LIB_A)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

-include $(shell find $(FO) -name '*.d' 2>/dev/null)

# ------------------------------------------------------------------ soak
SOAK_SECONDS ?= 600
.PHONY: soak

soak: all  ## traffic on 16 SAs under PF_KEY churn for SOAK_SECONDS (600)
	$(Q)SOAK_SECONDS=$(SOAK_SECONDS) bash tests/e2e/70-soak.sh
