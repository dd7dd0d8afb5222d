#!/usr/bin/env bash
# optimize's acceptance run on this machine (ONNX Runtime): budgets from the dense FP32 twin measured in
# the same run (minMap50 = mAP50 - 0.02, maxLatencyMs = 0.7 x median), a search, the same search again
# (timed against the first), and an impossible 1 ms budget.
#   bench/optimize.sh [model] [data] [imgsz] [candidates] [calibration] [calibrationImages] [fineTuneEpochs] [out]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/coco128/coco128.yaml} ${3:-640} ${4:-dense-fp16,dense-int8,flops0.9-int8}"
args="$args ${5:-percentile} ${6:-128} ${7:-0} ${8:-target/bench-optimize}"
bench/run-main.sh io.github.edgeprune.bench.OptimizeBenchmark $args
