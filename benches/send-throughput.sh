#!/usr/bin/env bash
# Delivery throughput of `hooktest send` (issue 5): 10,000 requests to a `hooktest serve`, with
# --concurrency 32, against the receiver's own ceiling measured with wrk in the same run.
#
#   benches/send-throughput.sh [REQUESTS] [CONCURRENCY]      (defaults: 10000, 32)
#
# The project has 100 hooks and REQUESTS/100 events (every hook fires for every event; default
# JSON bodies of about 1.5 KB). Reports requests/s of `send`, of wrk against the same receiver with
# the same body, and checks that the receiver recorded every request. Needs wrk for the ceiling
# (apt-get install -y wrk); without it only `send` is measured.
set -euo pipefail

requests=${1:-10000}
concurrency=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release -q --bin hooktest
bin=${CARGO_TARGET_DIR:-$root/target}/release/hooktest
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

mkdir -p "$work/project/hooks" "$work/project/events"
python3 - "$work/project" "$requests" <<'PY'
import json, sys
root, total = sys.argv[1], int(sys.argv[2])
hooks = [{"name": f"hook-{i}", "url": f"https://example.com/h/{i}"} for i in range(100)]
json.dump(hooks, open(f"{root}/hooks/all.json", "w"))
event = json.load(open("tests/fixtures/default-body/app-deploy-ok.json"))
events = [dict(event, UniqueID=f"{i:024x}") for i in range(max(1, total // 100))]
json.dump(events, open(f"{root}/events/many.json", "w"))
PY

"$bin" serve --port 0 --keep 1000 >"$work/serve.out" 2>/dev/null &
pid=$!
for _ in $(seq 1 200); do
  url=$(sed -n 's/^listening on //p' "$work/serve.out" | head -1)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "${url:-}" ] || { echo "receiver did not start" >&2; exit 2; }

# CPU time (user + system, in clock ticks) the receiver has used so far.
receiver_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
ticks=$(getconf CLK_TCK)
# Loading and rendering alone, to tell the delivery phase apart from the whole command.
rstart=$(date +%s.%N)
"$bin" render --dir "$work/project" --format http >/dev/null
rend=$(date +%s.%N)
t0=$(receiver_ticks)
start=$(date +%s.%N)
# Text output: the JSON format serialises 10,000 full requests and responses, which measures
# serde_json more than delivery (about half the time).
"$bin" send --dir "$work/project" --to "$url" --concurrency "$concurrency" --color never >"$work/send.txt"
end=$(date +%s.%N)
t1=$(receiver_ticks)
sent=$(sed -n 's/^\([0-9]*\) delivered, 0 failed$/\1/p' "$work/send.txt")
[ -n "$sent" ] || { echo "some deliveries failed:" >&2; tail -3 "$work/send.txt" >&2; exit 1; }
recorded=$(curl -s "$url/_hooktest/health" | python3 -c "import json,sys; print(json.load(sys.stdin)['last_seq'])")
secs=$(python3 -c "print(f'{$end-$start:.3f}')")
rps=$(python3 -c "print(f'{$sent/($end-$start):.0f}')")
echo "send: $sent requests ok in ${secs}s with --concurrency $concurrency: $rps requests/s (whole command: load, render, send)"
python3 - "$start" "$end" "$rstart" "$rend" "$t0" "$t1" "$ticks" "$sent" <<'PY'
import sys
start, end, rstart, rend = map(float, sys.argv[1:5])
t0, t1, ticks, sent = float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), int(sys.argv[8])
whole, render = end - start, rend - rstart
delivery = max(whole - render, 1e-9)
busy = (t1 - t0) / ticks
print(f"delivery phase (whole command minus load+render {render:.3f}s): {delivery:.3f}s = {sent / delivery:.0f} requests/s")
print(f"receiver CPU during the command: {busy:.2f}s = {busy / delivery * 100:.0f}% of one core over the delivery phase")
PY
echo "receiver recorded $recorded requests"
[ "$recorded" = "$sent" ] || { echo "lost requests: sent $sent, recorded $recorded" >&2; exit 1; }

if command -v wrk >/dev/null; then
  body=$(python3 -c "import json; print(json.dumps(open('tests/fixtures/default-body/app-deploy-ok.body').read()))")
  cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = $body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "tsuru-webhook-client/1.0"
LUA
  ceiling=$(wrk -t1 -c"$concurrency" -d5s -s "$work/post.lua" "$url/h/0" | sed -n 's/^Requests\/sec: *//p')
  echo "receiver ceiling (wrk, $concurrency connections, same body): $ceiling requests/s"
fi
