#!/usr/bin/env bash
# Opens optimize.html and verify.html in a real browser (Debian's headless Chromium): a screenshot
# of each for a person to look at, and the DOM Chromium built (--dump-dom) checked for the charts
# and the tables. Exits non-zero when a chart or a table row is missing. Not part of mvn test.
# Installs Debian's chromium with apt-get when it is missing (needs root).
#   bench/report-screenshot.sh [optimize.html] [verify.html] [output folder]
# Defaults: the reports of the optimize-pass IT (run it first:
#   mvn -o -B verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dinvoker.test=optimize-pass)
# and target/report-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

it=target/it/optimize-pass/target/prune/optimize
optimize_html=${1:-$it/optimize.html}
verify_html=${2:-$(ls "$it"/candidates/*/device/verify.html 2>/dev/null | head -n 1 || true)}
out=${3:-target/report-screenshots}

for f in "$optimize_html" "$verify_html"; do
  if [ -z "$f" ] || [ ! -f "$f" ]; then
    echo "no such report: '${f}' (run the optimize-pass IT first, or give the paths)" >&2
    exit 2
  fi
done

if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium is not installed and this is not root: apt-get install -y chromium" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >/dev/null
fi
mkdir -p "$out"
echo "$(chromium --version 2>/dev/null)"

# --headless: no display needed; --no-sandbox: Chromium refuses to run as root with its sandbox;
# a fresh profile folder so a running Chromium of someone else's is never touched
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1400,2000 "$@" 2>/dev/null
}

failures=0
check() { # check <what> <count> <at least>
  if [ "$2" -ge "$3" ]; then
    echo "  ok      $1: $2"
  else
    echo "  MISSING $1: $2, expected at least $3"
    failures=$((failures + 1))
  fi
}
count() { grep -o -- "$1" "$2" | wc -l; }

shoot() { # shoot <html> <name>
  local url="file://$(realpath "$1")"
  chrome --screenshot="$out/$2.png" "$url" >/dev/null
  chrome --dump-dom "$url" >"$out/$2.dom.html"
  echo "$2: $1 -> $out/$2.png ($(stat -c %s "$out/$2.png") bytes), DOM $out/$2.dom.html"
}

shoot "$optimize_html" optimize
dom=$out/optimize.dom.html
# as many points and table rows as optimize.json next to the report has candidates measured on the
# device / candidates at all
json=$(dirname "$optimize_html")/optimize.json
measured=1
candidates=1
if [ -f "$json" ]; then
  read -r measured candidates < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["candidates"]
print(sum(1 for x in c if x["latencyMs"] is not None), len(c))' "$json")
fi
check "svg chart" "$(count '<svg' "$dom")" 1
check "candidate points (circle.candidate)" "$(count 'class="candidate"' "$dom")" "$measured"
check "Pareto front (polyline.pareto)" "$(count 'class="pareto"' "$dom")" 1
check "x axis title" "$(count 'latency (ms)</text>' "$dom")" 1
check "y axis title" "$(count 'mAP50 (device)</text>' "$dom")" 1
check "candidate table rows" "$(count '<tr class="\(ok\|bad\|skip\)' "$dom")" "$candidates"
if grep -q '"passed": true' "$json" 2>/dev/null; then
  check "winner ring (circle.winner)" "$(count 'class="winner"' "$dom")" 1
fi

shoot "$verify_html" verify
dom=$out/verify.dom.html
check "svg charts (latency histogram, memory plot)" "$(count '<svg' "$dom")" 2
check "histogram bars" "$(count '<g class="bars">' "$dom")" 1
check "memory line (polyline.rss)" "$(count 'class="rss"' "$dom")" 1
check "budget table" "$(count '<table id="budgets">' "$dom")" 1
check "latency table" "$(count '<table id="latency">' "$dom")" 1

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed; look at $out/optimize.png and $out/verify.png"
