#!/usr/bin/env bash
# Side-by-side benchmark of zkinfer and EZKL on five EZKL example models
# (docs/benchmarks.md). Usage:
#
#   benches/peers/compare.sh [--models 1l_mlp,lenet_5] [--tools zkinfer] [--out DIR] [--table-only]
#
# Set-up (once):
#   python3 -m venv /tmp/ezkl-venv && /tmp/ezkl-venv/bin/pip install ezkl==23.0.5
#   cargo build --release -p zkinfer-cli
# The EZKL runner is /work/shared/peers/ezkl_prove.py, the models
# /work/shared/corpus/ezkl-examples/<model>/{network.onnx,input.json}.
#
# Timings on a shared machine are only worth keeping when it is otherwise
# idle: this script waits (re-checking every 2 minutes, at most MAX_WAIT_MIN
# minutes, default 30) until the 1-minute load average is below MAX_LOAD
# (default 0.5), then records the machine and runs every step one after the
# other. Set MAX_LOAD=99 for a trial run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
max_load="${MAX_LOAD:-0.5}"
max_wait_min="${MAX_WAIT_MIN:-30}"

for arg in "$@"; do
  if [[ "$arg" == "--table-only" ]]; then exec python3 "$here/compare.py" "$@"; fi
done

[[ -x /usr/bin/time ]] || { echo "needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 1; }
[[ -x "${ZKINFER:-$root/target/release/zkinfer}" ]] || { echo "build first: cargo build --release -p zkinfer-cli" >&2; exit 1; }
[[ -x /tmp/ezkl-venv/bin/python ]] || echo "warning: no EZKL venv at /tmp/ezkl-venv (see the set-up above)" >&2

waited=0
while :; do
  load="$(cut -d' ' -f1 /proc/loadavg)"
  if awk -v l="$load" -v m="$max_load" 'BEGIN { exit !(l < m) }'; then break; fi
  if (( waited >= max_wait_min )); then
    echo "load average $load still above $max_load after $waited min; running anyway" >&2
    break
  fi
  echo "load average $load ≥ $max_load; waiting (other builds running?)" >&2
  sleep 120
  waited=$((waited + 2))
done

{
  echo "date: $(date -Iseconds)"
  echo "commit: $(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  free -g | sed -n 2p | awk '{ print "memory: " $2 " GiB total" }'
  echo "load before: $(cat /proc/loadavg)"
  echo "ezkl: $(/tmp/ezkl-venv/bin/python -c 'import ezkl; print(ezkl.__version__)' 2>/dev/null || echo missing)"
} | tee /dev/stderr > /tmp/zkinfer-compare-machine.txt

args=("$@")
zk="${ZKINFER:-$root/target/release/zkinfer}"
python3 "$here/compare.py" --zkinfer "$zk" "${args[@]}"
echo "load after: $(cat /proc/loadavg)" >&2
