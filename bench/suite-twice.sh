#!/usr/bin/env bash
# Runs the README's test command (through .ci/run) twice in a row on a fresh clone of this
# repository's HEAD, optionally with two busy-looping `yes` processes beside it, and prints each
# run's wall time and test counts. Usage: bench/suite-twice.sh [--hog] [work-dir]
# (issue #13: "mvn -B verify on a fresh clone, twice in a row, green both times, with and
# without a parallel CPU load").
set -uo pipefail
hog=false
if [ "${1:-}" = "--hog" ]; then hog=true; shift; fi
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
clone="$work/clone"
rm -rf "$clone"
git clone -q "$repo" "$clone"
# the tests read the data at ../shared/data from the project root
[ -e "$work/shared" ] || ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
pids=()
if $hog; then
  for _ in 1 2; do yes > /dev/null & pids+=($!); done
fi
trap 'for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done' EXIT
echo "clone of $(git -C "$clone" rev-parse --short HEAD) in $clone, cpu hogs: $hog"
status=0
for run in 1 2; do
  start=$(date +%s)
  (cd "$clone" && .ci/run) > "$work/run$run.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  summary=$(grep -E "Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$" "$work/run$run.log" | tail -1)
  its=$(grep -E "Passed: [0-9]+, Failed: [0-9]+" "$work/run$run.log" | tail -2 | tr '\n' ' ')
  echo "run $run: exit $rc in ${secs} s; surefire: ${summary:-none}; invoker: ${its:-none}"
  grep -E "^\[ERROR\] +[A-Za-z]+Test\.|Tests in error|FAIL" "$work/run$run.log" | head -20
  [ $rc -eq 0 ] || status=1
done
exit $status
