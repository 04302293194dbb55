#!/usr/bin/env bash
# Requests per second and latency of `POST /api/dose`, with and without an audit log, in one run:
#   benches/http/audited.sh [CELLDOSE_BINARY] [SECONDS]
# Needs wrk (Debian's package). Each server gets its own port and a fresh log on this disk; the
# two are measured one after the other, three times each, alternating.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/celldose}
seconds=${2:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/celldose-http.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

serve() { # port [audit log]
  if [ -n "${2:-}" ]; then "$bin" serve --port "$1" --audit-log "$2" 2>/dev/null &
  else "$bin" serve --port "$1" 2>/dev/null &
  fi
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not start" >&2
  return 1
}

serve 18181
serve 18182 "$work/audit.jsonl"
for round in 1 2 3; do
  for which in unaudited audited; do
    port=18181; [ "$which" = audited ] && port=18182
    printf '%s round %s: ' "$which" "$round"
    wrk -t2 -c32 -d"${seconds}s" --latency -s benches/http/dose.lua "http://127.0.0.1:$port/api/dose" \
      | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$4}
             END {printf "%s req/s, p50 %s, p99 %s%s\n", rps, p50, p99, (bad ? ", non-2xx " bad : "")}'
  done
done
echo "records written: $(wc -l < "$work/audit.jsonl")"
"$bin" audit verify "$work/audit.jsonl"
