#!/usr/bin/env bash
# Times export-openvino of yolov5n (FP16 IR + ONNX twin) cold and warm in one JVM, and the
# no-change rebuild (fingerprint check, no export). Targets: <= 3 s warm, <= 1 s rebuild.
#   bench/export.sh [model] [imgsz]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
model=${1:-$data_root/models/yolov5n.pt}
imgsz=${2:-640}
bench/run-main.sh io.github.edgeprune.bench.ExportBenchmark "$model" "$imgsz"
