#!/usr/bin/env bash
# assets.sh bundles the web app's TypeScript islands into frontend/dist when
# Node is installed. Without Node the pages still work (they are rendered on
# the server and the islands only enhance them), so `make run` carries on;
# with REQUIRE_NODE=1 (make test) a missing Node is an error.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
[[ -f package.json ]] || exit 0
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	if [[ ${REQUIRE_NODE:-} == 1 ]]; then
		echo "assets: Node.js and npm are needed (apt-get install nodejs npm)" >&2
		exit 1
	fi
	echo "assets: Node.js not found; serving the pages without their scripts (apt-get install nodejs npm to build them)" >&2
	exit 0
fi
# npm ci only when the lock file changed since the last install.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
	npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
