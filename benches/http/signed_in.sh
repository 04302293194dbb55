#!/usr/bin/env bash
# What signing in costs the API: `POST /api/dose` on an audited page with no users (the
# workstation's account, as claimed) and on one with --users, where every call carries HTTP Basic
# credentials and the password is checked against its argon2id hash, measured in one run:
#   benches/http/signed_in.sh [CELLDOSE_BINARY] [SECONDS]
# Needs wrk (Debian's package). Three alternating rounds each, as audited.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/celldose}
seconds=${2:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/celldose-signed-in.XXXXXX")
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "a long password for the bench" | "$bin" user add bench --role pharmacist --users "$work/users.toml" >/dev/null
serve() { # port log [users]
  if [ -n "${3:-}" ]; then "$bin" serve --port "$1" --audit-log "$2" --users "$3" 2>/dev/null &
  else "$bin" serve --port "$1" --audit-log "$2" 2>/dev/null &
  fi
  for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$1/style.css" && return 0
    sleep 0.1
  done
  echo "the server on port $1 did not start" >&2
  return 1
}

serve 18281 "$work/workstation.jsonl"
serve 18282 "$work/users.jsonl" "$work/users.toml"
for round in 1 2 3; do
  for which in workstation signed-in; do
    port=18281; script=benches/http/dose.lua
    [ "$which" = signed-in ] && port=18282 && script=benches/http/dose_signed_in.lua
    printf '%s round %s: ' "$which" "$round"
    wrk -t2 -c32 -d"${seconds}s" --latency -s "$script" "http://127.0.0.1:$port/api/dose" \
      | awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$4}
             END {printf "%s req/s, p50 %s, p99 %s%s\n", rps, p50, p99, (bad ? ", non-2xx " bad : "")}'
  done
done
echo "records signed in: $(grep -c '"identified":"signed-in"' "$work/users.jsonl")"
