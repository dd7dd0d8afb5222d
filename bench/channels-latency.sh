#!/usr/bin/env bash
# Dense against channel-pruned yolov5n (targetFlops cuts, bn-gamma), side by side in one run:
# FP32 IR + ONNX twin of each, batch-1 latency with verify-on-device -Dprune.device=local and the
# onnxruntime and djl backends, models interleaved in every round. Run it on a quiet machine.
#   bench/channels-latency.sh [model] [data] [sizes] [targets] [images] [rounds] [roundTo list, e.g. 8,16]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/coco128/coco128.yaml} ${3:-640,320} ${4:-0.6,0.4} ${5:-40} ${6:-2} ${7:-8}"
bench/run-main.sh io.github.edgeprune.bench.ChannelsLatencyBenchmark $args
