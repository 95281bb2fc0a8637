#!/usr/bin/env bash
# Install everything xdpsec needs to build, test and demo on Debian 12
# (--dpdk: DPDK for the bench's comparison with ipsec-secgw instead).
# Idempotent: packages already present are skipped by apt-get; safe with no stdin (CI).
set -euo pipefail

PKGS=(
	# build
	build-essential clang llvm libbpf-dev libxdp-dev bpftool libssl-dev
	libelf-dev zlib1g-dev pkg-config libcmocka-dev linux-libc-dev
	libipsec-mb-dev # second ESP crypto backend (xdpsecd --crypto ipsec-mb)
	# run and test
	iproute2 iputils-ping ethtool tcpdump tshark python3-scapy
	python3-cryptography netcat-openbsd procps util-linux iperf3
	nftables # the NAT in tests/e2e/85-natt.sh
)
# --dpdk: only what scripts/bench.sh's dpdk section needs (DPDK 22.11 and
# the ipsec-secgw example's source, built in build/bench/dpdk)
[ "${1:-}" = --dpdk ] && PKGS=(libdpdk-dev dpdk-doc make pkg-config tcpdump)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
