#!/usr/bin/env bash
# Smoke-test a PyInstaller one-folder bundle of gRPC Workbench.
#
#   packaging/smoke_test.sh [BUNDLE_DIR]      (default: dist/grpc-workbench)
#
# Runs the frozen executable the way a user would, offscreen and with throwaway settings:
#   1. --version
#   2. demo-server --port 0     (compiles the demo .proto files with the in-process protoc,
#                                so it also proves the bundled well-known/google protos)
#   3. list / describe / call against it over reflection
#   4. list --proto on the bundled demo files (protoc with -I and imports)
#   5. the GUI connected to the demo server: it must either quit by itself once the schema
#      loaded (WORKBENCH_QUIT_AFTER_LOAD=1, if the build supports it) or still run after the
#      wait and then exit on Ctrl+C (SIGINT); either way with status 0 and no traceback.
# Exits non-zero at the first failure, printing what went wrong.
set -euo pipefail

BUNDLE=${1:-dist/grpc-workbench}
EXE="$BUNDLE/grpc-workbench"
GUI_SECONDS=${WORKBENCH_SMOKE_GUI_SECONDS:-6}

[[ -x "$EXE" ]] || { echo "smoke: no executable at $EXE" >&2; exit 1; }

TMP=$(mktemp -d)
DEMO_PID=""
GUI_PID=""
cleanup() {
    [[ -n "$GUI_PID" ]] && kill -TERM "$GUI_PID" 2>/dev/null || true
    [[ -n "$DEMO_PID" ]] && kill -TERM "$DEMO_PID" 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT

export XDG_CONFIG_HOME="$TMP/config" XDG_DATA_HOME="$TMP/data" XDG_STATE_HOME="$TMP/state"
export XDG_CACHE_HOME="$TMP/cache" QT_QPA_PLATFORM=offscreen GRPC_VERBOSITY=NONE

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
step() { printf 'smoke: %-58s' "$1"; }
ok() { echo "ok${1:+ ($1)}"; }

# Waits up to $2 seconds for process $1 to exit; returns its exit status (124 on timeout).
wait_exit() {
    local pid=$1 deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || return 124
        sleep 0.2
    done
    local status=0
    wait "$pid" || status=$?
    return "$status"
}

step "--version"
version=$("$EXE" --version) || fail "--version exited $?"
[[ "$version" == grpc-workbench\ * ]] || fail "--version printed '$version'"
ok "$version"

step "demo-server --port 0"
"$EXE" demo-server --port 0 >"$TMP/demo.out" 2>"$TMP/demo.err" &
DEMO_PID=$!
for _ in $(seq 150); do
    grep -q "listening on" "$TMP/demo.out" && break
    kill -0 "$DEMO_PID" 2>/dev/null || fail "demo server died: $(cat "$TMP/demo.err")"
    sleep 0.2
done
ADDR=$(sed -n 's/^Demo server listening on //p' "$TMP/demo.out")
[[ -n "$ADDR" ]] || fail "demo server did not report its address: $(cat "$TMP/demo.err")"
ok "$ADDR"

step "list over reflection"
services=$("$EXE" list "$ADDR") || fail "list exited $?"
grep -qx "workbench.demo.v1.DemoService" <<<"$services" || fail "list printed: $services"
ok "$(wc -l <<<"$services") services"

step "describe"
"$EXE" describe "$ADDR" workbench.demo.v1.DemoService | grep -q "service DemoService" \
    || fail "describe did not show the service"
ok

step "call (unary)"
reply=$("$EXE" call "$ADDR" workbench.demo.v1.DemoService/Echo -d '{"string_value": "smoke"}') \
    || fail "call exited $?"
grep -q '"smoke"' <<<"$reply" || fail "call printed: $reply"
ok

step "list --proto (protoc in-process, well-known imports)"
PROTOS=$(find "$BUNDLE" -type d -name _protos -path "*workbench*" | head -n 1)
[[ -n "$PROTOS" ]] || fail "no workbench/_protos folder in $BUNDLE"
"$EXE" list --proto "$PROTOS/workbench/demo/v1/demo.proto" -I "$PROTOS" \
    | grep -qx "workbench.demo.v1.DemoService" || fail "list --proto failed"
ok

step "GUI offscreen: start, connect, quit"
# With WORKBENCH_QUIT_AFTER_LOAD=1 a GUI that supports it prints "WORKBENCH_LOADED <phase>: ..."
# and quits once the schema has loaded; otherwise it is closed with Ctrl+C after the wait.
WORKBENCH_QUIT_AFTER_LOAD=1 "$EXE" "$ADDR" >"$TMP/gui.out" 2>"$TMP/gui.err" &
GUI_PID=$!
status=0
wait_exit "$GUI_PID" "$GUI_SECONDS" || status=$?
if [[ $status -eq 124 ]]; then  # still running: the way a user quits from a terminal
    kill -INT "$GUI_PID"
    status=0
    wait_exit "$GUI_PID" 30 || status=$?
    how="closed with Ctrl+C after ${GUI_SECONDS}s"
else
    grep -q "^WORKBENCH_LOADED ready" "$TMP/gui.out" \
        || fail "the GUI exited early ($status): $(cat "$TMP/gui.out" "$TMP/gui.err")"
    how=$(sed -n 's/^WORKBENCH_LOADED //p' "$TMP/gui.out")
fi
GUI_PID=""
[[ $status -eq 0 ]] || fail "the GUI exited with $status: $(cat "$TMP/gui.err")"
if grep -qE "Traceback|Fatal Python error|Segmentation fault" "$TMP/gui.err"; then
    fail "the GUI printed an error: $(cat "$TMP/gui.err")"
fi
ok "$how"

echo "smoke: all checks passed for $EXE"
