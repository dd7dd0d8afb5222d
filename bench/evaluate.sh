#!/usr/bin/env bash
# Times evaluate of yolov5n.pt on COCO128 at 640, batch 8, as val.py reports it (ms per image
# for pre-process, inference and NMS). Run it on a quiet machine: other processes on the 2 cores
# slow inference down directly.
#   bench/evaluate.sh [model] [data] [imgsz] [batch]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
model=${1:-$data_root/models/yolov5n.pt}
data=${2:-$data_root/coco128/coco128.yaml}
imgsz=${3:-640}
batch=${4:-8}
bench/run-main.sh io.github.edgeprune.bench.EvaluateBenchmark "$model" "$data" "$imgsz" "$batch"
