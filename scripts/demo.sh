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
issue() { clues token revoke --name "demo-$1" --reason "demo run again: new demo tokens" >/dev/null; clues token create --name "demo-$1" --role "$1" --json | node -e 'process.stdin.on("data", d => console.log(JSON.parse(d).token))'; }
analyst="$(issue analyst)"
reviewer="$(issue reviewer)"
tagger="$(issue tagger)"
echo
echo "A reviewer publishes one sample object for crowd tagging:"
node scripts/demo-publish.mjs "$api" "$reviewer"
echo
echo "Web views (sign in by pasting the token; tokens were just issued and are shown once):"
echo "  analyst search:   $api/         token $analyst"
echo "  reviewer page:    $api/review   token $reviewer"
echo "  public tagging:   $api/tag      token $tagger"
echo
echo "Search API:"
echo "  curl -H 'Authorization: Bearer $analyst' '$api/api/search?text=segmentation'"
echo "  curl -H 'Authorization: Bearer $analyst' '$api/api/search?text=segmentatoin&mode=fuzzy'"
echo "Stop everything with: npx clues down"
