#!/usr/bin/env bash
# Regenerates tests/fixtures/pdq-reference.json with Meta's reference implementation (dev only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv" && "$tmp/venv/bin/pip" install -q pdqhash==0.2.8 numpy pillow
TMPDIR_OUT="$tmp" node -e '
const sharp = require("sharp"); const path = require("path");
(async () => {
  for (const f of process.argv.slice(1)) {
    const m = await sharp(f).metadata();
    let img = sharp(f).rotate().removeAlpha().toColourspace("srgb");
    if (m.width > 512 || m.height > 512) img = img.resize(512, 512, { fit: "fill", kernel: "nearest" });
    await img.png().toFile(process.env.TMPDIR_OUT + "/" + path.basename(f) + ".png");
  }
})();' "$root"/samples/* 
args=()
for f in "$tmp"/*.png; do n="$(basename "$f" .png)"; args+=("$n=$f"); done
"$tmp/venv/bin/python" "$root/scripts/dev/pdq-reference.py" "${args[@]}" > "$root/tests/fixtures/pdq-reference.json"
echo "wrote tests/fixtures/pdq-reference.json" >&2
