#!/usr/bin/env bash
# The HEIC tests make their iPhone-like photos with Debian's heif-enc (libheif with x265); the
# pipeline itself decodes HEIC with libheif in WebAssembly (npm: heic-decode) and needs nothing
# from here. Installs libheif-examples with apt when heif-enc is missing; idempotent.
set -euo pipefail
if command -v heif-enc >/dev/null; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "[setup] heif-enc is missing: run 'sudo apt-get install -y libheif-examples' (the HEIC tests need it)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends libheif-examples >/dev/null 2>&1 \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends libheif-examples >/dev/null; }
# Debian after bookworm ships libheif's HEVC encoder as a plugin of its own.
if apt-cache show libheif-plugin-x265 >/dev/null 2>&1; then apt-get install -y --no-install-recommends libheif-plugin-x265 >/dev/null; fi
echo "[setup] heif-enc: $(heif-enc --version 2>/dev/null | head -1)" >&2
