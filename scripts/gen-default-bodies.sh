#!/usr/bin/env bash
# Regenerates tests/fixtures/default-body/*.body with tsuru-oracle (Go's own json.Marshal over
# tsuru's event type). Needs Go (apt-get install -y golang-go); CI only reads the committed outputs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
oracle_src=${ORACLE_SRC:-$root/../shared/tools/tsuru-oracle}
bin=$(mktemp -d)/tsuru-oracle
(cd "$oracle_src" && go build -o "$bin" .)
for event in "$root"/tests/fixtures/default-body/*.json; do
  "$bin" json "$event" > "${event%.json}.body"
  echo "wrote ${event%.json}.body"
done
