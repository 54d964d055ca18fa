#!/usr/bin/env bash
# Run the MCP conformance server suites against a server started by this script.
#
# usage: conformance/run-server-suites.sh <server command, with the literal token {PORT}>
#   e.g. conformance/run-server-suites.sh ./warden everything-server --port {PORT}
#
# Picks a free port, starts the server in the background (its stdout/stderr -> results/server.log),
# waits until http://HOST:PORT/mcp answers, then runs in sequence:
#   1. conformance server --requirements 2025-11-25   (stateful sessions wire)   -> results/2025-11-25
#   2. conformance server --requirements 2026-07-28   (stateless wire)           -> results/2026-07-28
#   3. each pending scenario on its proper wire (--scenario X --spec-version V)  -> results/pending/X@V
# and finally conformance/summarize.mjs, whose exit status is this script's exit status
# (non-zero iff a scored scenario has a FAILURE not covered by expected-failures.yml; pending and
# not_scored scenarios are reported only). The server is always stopped on exit.
#
# Environment knobs:
#   CONFORMANCE_HOST     host used in the URL (default 127.0.0.1; localhost / [::1] also satisfy
#                        dns-rebinding-protection, any other host makes that scenario fail)
#   CONFORMANCE_TIMEOUT  per-scenario timeout in ms passed as --timeout (CLI default 30000)
#   RESULTS_DIR          results directory (default conformance/results; wiped at start)
#   STARTUP_TIMEOUT      seconds to wait for the server to answer (default 60)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE="$here/node"
CLI=("$NODE" "$here/node_modules/.bin/conformance")
HOST="${CONFORMANCE_HOST:-127.0.0.1}"
RESULTS="${RESULTS_DIR:-$here/results}"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-60}"
EXPECTED="$here/expected-failures.yml"

if [[ $# -eq 0 || "$*" != *"{PORT}"* ]]; then
  echo "usage: $0 <server command containing {PORT}>   e.g. $0 ./warden everything-server --port {PORT}" >&2
  exit 2
fi
command -v curl >/dev/null || { echo "run-server-suites: curl is required" >&2; exit 2; }

# Make sure the pinned toolchain is installed before the clock starts (npm ci if needed).
"$NODE" --version >/dev/null || { echo "run-server-suites: conformance/node does not work" >&2; exit 2; }

# --- free port ---------------------------------------------------------------------------------
PORT="$("$NODE" -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});')"
[[ "$PORT" =~ ^[0-9]+$ ]] || { echo "run-server-suites: could not pick a free port" >&2; exit 2; }
case "$HOST" in *:*) [[ "$HOST" == \[* ]] || HOST="[$HOST]";; esac
URL="http://$HOST:$PORT/mcp"

cmd=()
for a in "$@"; do cmd+=("${a//\{PORT\}/$PORT}"); done

rm -rf "$RESULTS/2025-11-25" "$RESULTS/2026-07-28" "$RESULTS/pending" "$RESULTS"/*.log
mkdir -p "$RESULTS"
SERVER_LOG="$RESULTS/server.log"

# --- start server (own process group so wrapper scripts + JVM children die together) -----------
echo "== starting server: ${cmd[*]}   (log: $SERVER_LOG)"
setsid "${cmd[@]}" >"$SERVER_LOG" 2>&1 < /dev/null &
SERVER_PID=$!

stop_server() {
  [[ -n "${SERVER_PID:-}" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM -- "-$SERVER_PID" 2>/dev/null || kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "== server did not stop on SIGTERM within 10 s, sending SIGKILL" >&2
      kill -KILL -- "-$SERVER_PID" 2>/dev/null || kill -KILL "$SERVER_PID" 2>/dev/null
    fi
  fi
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=
}
trap stop_server EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- wait until it answers HTTP (any status code counts as "up") --------------------------------
echo "== waiting for $URL (up to ${STARTUP_TIMEOUT}s)"
deadline=$((SECONDS + STARTUP_TIMEOUT))
while :; do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "== server exited before answering; last lines of $SERVER_LOG:" >&2
    tail -n 40 "$SERVER_LOG" >&2
    exit 3
  fi
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL" 2>/dev/null)"
  [[ -n "$code" && "$code" != "000" ]] && break
  if (( SECONDS >= deadline )); then
    echo "== server did not answer $URL within ${STARTUP_TIMEOUT}s; last lines of $SERVER_LOG:" >&2
    tail -n 40 "$SERVER_LOG" >&2
    exit 3
  fi
  sleep 0.5
done
echo "== server up at $URL (GET answered HTTP $code)"

timeout_args=()
[[ -n "${CONFORMANCE_TIMEOUT:-}" ]] && timeout_args=(--timeout "$CONFORMANCE_TIMEOUT")

baseline_for() { # per-revision baseline file if present, else the shared one
  local f="${EXPECTED%.yml}.$1.yml"
  [[ -f "$f" ]] && echo "$f" || echo "$EXPECTED"
}

strip_ansi() { sed -e 's/\x1b\[[0-9;]*m//g'; }

run_requirements() { # rev
  local rev="$1" log="$RESULTS/requirements-$1.log" rc
  echo
  echo "================ conformance server --requirements $rev ================"
  "${CLI[@]}" server --url "$URL" --requirements "$rev" \
    --expected-failures "$(baseline_for "$rev")" -o "$RESULTS/$rev" "${timeout_args[@]}" >"$log" 2>&1
  rc=$?
  if grep -q '=== SUMMARY ===' "$log"; then
    strip_ansi <"$log" | sed -n '/=== SUMMARY ===/,$p'
  else
    strip_ansi <"$log" | tail -n 40
  fi
  echo "(conformance CLI exit code $rc; full log: $log)"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "!! server is no longer running (see $SERVER_LOG)" >&2
  fi
}

run_pending() { # scenario wire
  local scenario="$1" wire="$2" dir="$RESULTS/pending/$1@$2" log rc
  log="$RESULTS/pending-$1@$2.log"
  echo
  echo "================ pending: $scenario @ $wire ================"
  mkdir -p "$dir"
  "${CLI[@]}" server --url "$URL" --scenario "$scenario" --spec-version "$wire" \
    -o "$dir" "${timeout_args[@]}" >"$log" 2>&1
  rc=$?
  if grep -q '^Checks:' "$log"; then
    strip_ansi <"$log" | sed -n '/^Checks:/,/^Passed:/p'
  else
    strip_ansi <"$log" | tail -n 20
  fi
  echo "(conformance CLI exit code $rc; full log: $log)"
}

run_requirements 2025-11-25
run_requirements 2026-07-28
run_pending json-schema-2020-12 2025-11-25
run_pending json-schema-2020-12 2026-07-28
run_pending server-sse-polling 2025-11-25
run_pending http-header-validation 2026-07-28
run_pending http-custom-header-server-validation 2026-07-28

stop_server
echo
"$NODE" "$here/summarize.mjs" --results "$RESULTS" --expected-failures "$EXPECTED"
exit $?
