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
echo
echo "Search API: $api/api/search?text=segmentation"
echo "Stop everything with: npx clues down"
