#!/usr/bin/env bash
# Load benchmark of the mock receiver (issue 4): `hooktest serve --journal` against a bare hyper
# server that records nothing, both on loopback, same machine, same run.
#
#   benches/receiver-load.sh [DURATION] [CONNECTIONS]     (defaults: 5s, 32; ROUNDS=5)
#
# Runs ROUNDS rounds, each one bare hyper then `serve --journal` (a fresh journal), and reports
# requests/s and p99 latency of each, the ratio per round and the median ratio, which is what the
# 80% target is judged on: on a shared VM single rounds swing by +-15%. Each round checks that the
# journal holds exactly as many lines as wrk completed requests. Needs wrk (apt-get install -y wrk).
# Set RSS_REQUESTS=1000000 to also send that many requests and report the receiver's RSS before
# and after (memory must stay flat: only --keep records are held).
set -euo pipefail

duration=${1:-5s}
rounds=${ROUNDS:-5}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install -y wrk)" >&2; exit 2; }

# The receiver as users run it: the `hooktest` binary (with its global allocator).
cargo build --release -q -p hooktest --bin hooktest
cargo build --release -q -p hooktest-receiver --example bare
bin=${CARGO_TARGET_DIR:-$root/target}/release
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server in the background, waits for its `listening on URL` line, sets $url and $pid.
start() {
  local out=$1; shift
  "$@" >"$out" 2>"$out.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^listening on //p' "$out" | head -1)
    [ -n "$url" ] && return 0
    sleep 0.05
  done
  echo "server did not start: $*" >&2; cat "$out.err" >&2; exit 2
}

# Runs wrk against $1; prints "REQUESTS RPS P99".
load() {
  taskset -c 1 wrk -t1 -c"$connections" -d"$duration" --latency -s "$work/report.lua" "$1/hook" >"$work/wrk.out"
  sed -n 's/^RESULT //p' "$work/wrk.out"
}

cat >"$work/report.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"event":"app.deploy","app":"checkout-api","ok":true}'
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %.0f %.2fms %d\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000, errors))
end
LUA

printf '%-6s %10s %9s %10s %9s %7s %s\n' round "bare req/s" "bare p99" "serve req/s" "serve p99" ratio "journal lines / wrk requests"
status=0
ratios=()
for round in $(seq 1 "$rounds"); do
  start "$work/bare.out" taskset -c 0 "$bin/examples/bare"
  read -r bare_n bare_rps bare_p99 bare_err < <(load "$url")
  kill "$pid"; wait "$pid" 2>/dev/null || true

  journal=$work/journal-$round.jsonl
  start "$work/serve.out" taskset -c 0 "$bin/hooktest" serve --journal "$journal"
  serve_pid=$pid
  read -r recv_n recv_rps recv_p99 recv_err < <(load "$url")
  kill -TERM "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
  lines=$(wc -l <"$journal")
  rm -f "$journal"

  ratio=$(awk -v a="$recv_rps" -v b="$bare_rps" 'BEGIN { printf "%.1f", 100 * a / b }')
  ratios+=("$ratio")
  printf '%-6s %10s %9s %10s %9s %6s%% %s / %s\n' "$round" "$bare_rps" "$bare_p99" "$recv_rps" "$recv_p99" "$ratio" "$lines" "$recv_n"
  if [ "$bare_err" != 0 ] || [ "$recv_err" != 0 ]; then
    echo "FAIL: wrk saw errors (bare $bare_err, serve $recv_err)" >&2; status=1
  fi
  # wrk counts the requests it got answers to; requests still in flight when it stops were
  # recorded but not counted, so the journal may hold up to one more per connection.
  if [ "$lines" -lt "$recv_n" ] || [ "$lines" -gt $((recv_n + connections)) ]; then
    echo "FAIL: journal lines do not match completed requests" >&2; status=1
  fi
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "receiver/bare (wrk -t1 -c$connections -d$duration, $rounds rounds): median ${median}%"
awk -v m="$median" 'BEGIN { exit !(m >= 80) }' || { echo "FAIL: median below 80% of bare hyper" >&2; status=1; }

if [ -n "${RSS_REQUESTS:-}" ]; then
  start "$work/rss.out" taskset -c 0 "$bin/hooktest" serve --journal "$work/rss.jsonl"
  rss() { awk '/VmRSS/ { print $2 " kB" }' "/proc/$1/status"; }
  wrk -t1 -c"$connections" -d5s -s "$work/report.lua" "$url/hook" >/dev/null
  echo "RSS after warm-up ($(wc -l <"$work/rss.jsonl") requests): $(rss "$pid")"
  while [ "$(wc -l <"$work/rss.jsonl")" -lt "$RSS_REQUESTS" ]; do
    wrk -t1 -c"$connections" -d5s -s "$work/report.lua" "$url/hook" >/dev/null
  done
  echo "RSS after $(wc -l <"$work/rss.jsonl") requests: $(rss "$pid")"
fi
exit $status
