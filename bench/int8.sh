#!/usr/bin/env bash
# FP32 against INT8 yolov5n side by side in one run: accuracy of the FP32 IR, the INT8 IR (our
# executor) and the INT8 ONNX twin (ONNX Runtime), .bin sizes, and batch-1 latency of the FP32 and
# INT8 twins with verify-on-device -Dprune.device=local (onnxruntime), interleaved per round.
#   bench/int8.sh [model] [data] [sizes] [methods] [calibrationImages] [latencyImages] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/coco128/coco128.yaml} ${3:-640,320} ${4:-minmax,percentile} ${5:-300} ${6:-40} ${7:-3}"
bench/run-main.sh io.github.edgeprune.bench.Int8Benchmark $args
