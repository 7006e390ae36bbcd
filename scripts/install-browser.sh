#!/usr/bin/env bash
# The browser tests drive Debian's chromium through playwright-core (`npx playwright install`
# cannot download here). Installs it with apt when it is missing; idempotent.
set -euo pipefail
bin="${CLUES_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$bin" ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "[setup] chromium is missing: run 'sudo apt-get install -y chromium' (or set CLUES_CHROMIUM)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
echo "[setup] chromium: $("$bin" --version 2>/dev/null | head -1)" >&2
