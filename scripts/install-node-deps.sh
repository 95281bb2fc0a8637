#!/usr/bin/env bash
# Install the npm packages tests/k8s/validate.mjs needs (versions pinned in
# tests/k8s/package.json and package-lock.json) into tests/k8s/node_modules.
# Idempotent: nothing is fetched when the pinned versions are there.
# Needs node and npm (Debian's nodejs + npm are installed if missing).
set -euo pipefail
DIR=$(cd "$(dirname "$0")/../tests/k8s" && pwd)

have() {
	node -e '
	const lock = require(process.argv[1] + "/package-lock.json").packages;
	for (const [p, v] of Object.entries(lock)) {
		if (!p) continue;
		const got = require(process.argv[1] + "/" + p + "/package.json").version;
		if (got !== v.version) process.exit(1);
	}' "$DIR" 2>/dev/null
}

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "install-node-deps: installing Debian's nodejs and npm"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends nodejs npm </dev/null
fi
if have; then
	echo "install-node-deps: tests/k8s/node_modules up to date"
	exit 0
fi
echo "install-node-deps: npm ci in tests/k8s"
cd "$DIR"
timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
have
