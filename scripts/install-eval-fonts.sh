#!/usr/bin/env bash
# Fonts for the where-and-when evaluation's signs (bench/where-eval-set.ts): DejaVu (Latin, Greek,
# Cyrillic) is there already; Thai, Japanese and Korean come from Debian's packages. Idempotent;
# without them the evaluation skips the signs it cannot draw and says so. Not needed by the tests.
set -euo pipefail
need=()
fc-list :lang=th | grep -q . || need+=(fonts-tlwg-loma-ttf)
fc-list :lang=ja | grep -q . || need+=(fonts-ipafont-gothic)
fc-list :lang=ko | grep -q . || need+=(fonts-nanum)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "[eval] missing fonts: run 'sudo apt-get install -y ${need[*]}'" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; }
echo "[eval] installed ${need[*]}" >&2
