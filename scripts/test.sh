#!/usr/bin/env bash
# Installs everything, then runs the type check, the linter and the test suite against the real
# SecantusDB and Temporal dev server that the tests' global setup starts (on test ports, in .data/test).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
t0=$SECONDS
bash scripts/install-browser.sh
echo "[setup] browser took $((SECONDS - t0))s" >&2
# heif-enc makes the HEIC photos of tests/heic.test.ts.
bash scripts/install-heif-tools.sh
# A real S3-compatible server for the shared-storage tests (tests/storage.test.ts), and FerretDB
# for the test that carries an earlier version's data folder over (tests/migrate.test.ts).
t0=$SECONDS
bash scripts/install-tools.sh versitygw
bash scripts/install-tools.sh ferretdb
echo "[setup] versitygw and ferretdb took $((SECONDS - t0))s" >&2
results="$root/tests/.tmp/results.json"
rc=0
npm test -- --reporter=default --reporter=json --outputFile.json="$results" || rc=$?
# One plain closing line, whatever the runner prints above it.
if [ -f "$results" ]; then
  node -e 'const r=require(process.argv[1]); console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`)' "$results"
fi
exit $rc
