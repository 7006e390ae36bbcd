#!/usr/bin/env bash
# The main job on the embedded default: install, start FerretDB + Temporal + worker + API,
# process the sample images, and show where to search.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
clues() { node bin/clues.js "$@"; }

clues up
echo
clues ingest samples --wait --case demo || [ $? -eq 3 ]
echo
echo "Search from the command line (every search is written to the audit log):"
echo "  \$ npx clues search --text segmentation"
clues search --text segmentation
echo "  \$ npx clues similar samples/coffee.png"
clues similar samples/coffee.png
api="$(node -e 'console.log(require("./dist/core/config").loadConfig().api.url)')"
clues token revoke --name demo-analyst >/dev/null
token="$(clues token create --name demo-analyst --role analyst --json | node -e 'process.stdin.on("data", d => console.log(JSON.parse(d).token))')"
echo
echo "Search API (an analyst token was just issued; it is shown once):"
echo "  curl -H 'Authorization: Bearer $token' '$api/api/search?text=segmentation'"
echo "  curl -H 'Authorization: Bearer $token' '$api/api/search?text=segmentatoin&mode=fuzzy'"
echo "Stop everything with: npx clues down"
