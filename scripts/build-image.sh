#!/usr/bin/env bash
# Build the xdpsec container image (deploy/kubernetes/daemonset.yaml runs
# it) without pulling any base image:
#   1. mmdebstrap makes a minimal Debian bookworm root filesystem with the
#      runtime libraries (libbpf1, libxdp1, libssl3, libipsec-mb1,
#      libelf1, zlib1g),
#      iproute2 and util-linux (mount, mountpoint, setpriv for the init
#      container and the entrypoint), as a tarball;
#   2. `make install DESTDIR=<rootfs> PREFIX=/usr/local` puts xdpsecd,
#      setkey, xdpsecctl, the BPF objects and
#      /usr/local/lib/xdpsec/entrypoint.sh in;
#   3. buildah imports it as an image "from scratch" (tag $IMAGE, default
#      xdpsec:latest) and, with OCI_ARCHIVE=FILE, also writes an OCI
#      archive that `podman load` / `ctr images import` take.
# Root, with the Debian mirror reachable (mmdebstrap downloads ~40 MB);
# not part of `make test`.  Run as `make image`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGE=${IMAGE:-xdpsec:latest}
SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-}
OCI_ARCHIVE=${OCI_ARCHIVE:-}
WORK=$(mktemp -d /tmp/xdpsec-image.XXXX)
trap 'rm -rf "$WORK"' EXIT

RUNTIME=libbpf1,libxdp1,libssl3,libipsec-mb1,libelf1,zlib1g,iproute2,util-linux,mawk,procps,ca-certificates

need() { # need COMMAND DEBIAN-PACKAGE
	command -v "$1" >/dev/null && return 0
	echo "build-image: installing $2"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$2" </dev/null
}
need mmdebstrap mmdebstrap
need buildah buildah

echo "build-image: root filesystem ($SUITE, minbase + $RUNTIME)"
# shellcheck disable=SC2086 # MIRROR is optional
mmdebstrap --variant=minbase --include="$RUNTIME" \
	--dpkgopt='path-exclude=/usr/share/{doc,man,locale,info}/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	"$SUITE" "$WORK/rootfs" $MIRROR

echo "build-image: make install into it"
make -C "$ROOT" --no-print-directory -s install DESTDIR="$WORK/rootfs" \
	PREFIX=/usr/local
rm -rf "$WORK/rootfs/var/cache/apt/archives/"*.deb \
	"$WORK/rootfs/var/lib/apt/lists/"*
# the binaries must find every library they link in the image
for b in xdpsecd setkey xdpsecctl; do
	if chroot "$WORK/rootfs" ldd "/usr/local/sbin/$b" | grep -q 'not found'; then
		chroot "$WORK/rootfs" ldd "/usr/local/sbin/$b" >&2
		echo "build-image: $b misses a library in the image" >&2
		exit 1
	fi
done
chroot "$WORK/rootfs" /usr/local/sbin/xdpsecctl --help >/dev/null

echo "build-image: image $IMAGE"
ctr=$(buildah from scratch)
trap 'buildah rm "$ctr" >/dev/null 2>&1; rm -rf "$WORK"' EXIT
tar -C "$WORK/rootfs" -cf "$WORK/rootfs.tar" .
buildah add "$ctr" "$WORK/rootfs.tar" / >/dev/null # a local tar is unpacked
buildah config --entrypoint '["/usr/local/lib/xdpsec/entrypoint.sh"]' \
	--cmd run --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	--label org.opencontainers.image.title=xdpsec \
	--label org.opencontainers.image.source=deploy/kubernetes \
	--port 9478/tcp "$ctr"
buildah commit --quiet "$ctr" "$IMAGE"
if [ -n "$OCI_ARCHIVE" ]; then
	buildah push --quiet "$IMAGE" "oci-archive:$OCI_ARCHIVE:$IMAGE"
	echo "build-image: wrote $OCI_ARCHIVE"
fi
buildah images "$IMAGE"
