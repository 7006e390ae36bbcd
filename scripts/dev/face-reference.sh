#!/usr/bin/env bash
# Regenerates eval/face-reference.json: dlib's own descriptors (PyPI dlib with face-recognition-models
# 0.3.0, the reference implementation) of the chips our aligner cuts from the eval's identity
# photos, so that `npm run eval` can measure the ONNX port against dlib on the same pixels.
# Dev only (not CI): dlib-bin is dlib's prebuilt wheel; DLIB_FROM_SOURCE=1 builds dlib with cmake
# instead (about 15 minutes on two cores).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
if [ "${DLIB_FROM_SOURCE:-0}" = 1 ]; then dlib=dlib==20.0.1; else dlib=dlib-bin==20.0.1.post1; fi
"$tmp/venv/bin/pip" install -q "$dlib" face-recognition-models==0.3.0 numpy pillow
(cd "$root" && npx tsc -p tsconfig.json && node dist/eval/run.js --only=face-chips --face-chips="$tmp/chips" >/dev/null)
"$tmp/venv/bin/python" "$root/scripts/dev/face-reference.py" describe "$tmp"/chips/*.png > "$tmp/dlib.json"
node -e '
const fs = require("fs");
const [chips, dlib] = [JSON.parse(fs.readFileSync(process.argv[1])), JSON.parse(fs.readFileSync(process.argv[2]))];
const out = { dlib: dlib.dlib, model: "dlib_face_recognition_resnet_model_v1 (face-recognition-models 0.3.0)", chips: {} };
for (const [name, sha256] of Object.entries(chips)) out.chips[name] = { sha256, descriptor: dlib.descriptors[name] };
fs.writeFileSync(process.argv[3], JSON.stringify(out, null, 1) + "\n");' "$tmp/chips/chips.json" "$tmp/dlib.json" "$root/eval/face-reference.json"
echo "wrote eval/face-reference.json ($(node -e 'console.log(Object.keys(require(process.argv[1]).chips).length)' "$root/eval/face-reference.json") faces)" >&2
