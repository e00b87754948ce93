#!/usr/bin/env bash
# Regenerates the expected outputs of the Go-template differential corpus with the tsuru oracle
# (Go's own text/template over a model of tsuru's event type). Needs Go; CI does not run this,
# it compares against the committed outputs.
#
#   scripts/gen-go-corpus.sh            # from the repository root
#
# tests/corpus/go/cases.txt lists one case per line: TEMPLATE EVENT (names without extension,
# from templates/*.tmpl and events/*.json). For each case, expected/TEMPLATE@EVENT.out holds the
# rendered body (exit 0), or expected/TEMPLATE@EVENT.err holds the exit status on its first
# line (3 parse error, 4 exec error) and Go's message after it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/tests/corpus/go"
oracle_src="${ORACLE_SRC:-$root/../shared/tools/tsuru-oracle}"
oracle="$(mktemp -d)/oracle"
(cd "$oracle_src" && go build -o "$oracle" .)

rm -f "$corpus"/expected/*.out "$corpus"/expected/*.err
mkdir -p "$corpus/expected"
while read -r tmpl event; do
    [[ -z "$tmpl" || "$tmpl" == \#* ]] && continue
    base="$corpus/expected/$tmpl@$event"
    set +e
    "$oracle" render "$corpus/events/$event.json" "$corpus/templates/$tmpl.tmpl" >"$base.stdout" 2>"$base.stderr"
    status=$?
    set -e
    if [[ $status -eq 0 ]]; then
        mv "$base.stdout" "$base.out"
        rm -f "$base.stderr"
    elif [[ $status -eq 3 || $status -eq 4 ]]; then
        { echo "$status"; cat "$base.stderr"; } >"$base.err"
        rm -f "$base.stdout" "$base.stderr"
    else
        echo "oracle failed on $tmpl $event (exit $status):" >&2
        cat "$base.stderr" >&2
        exit 1
    fi
done <"$corpus/cases.txt"
echo "regenerated $(ls "$corpus"/expected | wc -l) expected outputs"
