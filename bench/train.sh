#!/usr/bin/env bash
# Fine-tunes yolov5n.pt on COCO128 at 320, 3 epochs, batch 16, with the paper's dynamic pruning
# (schedule epoch, 0.2 / 0.1), and prints seconds per epoch, the final mAP50 and the sparsity.
# Run it on a quiet machine.
#   bench/train.sh [model] [data] [imgsz] [epochs] [batch] [schedule]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/coco128/coco128.yaml} ${3:-320} ${4:-3} ${5:-16} ${6:-epoch}"
bench/run-main.sh io.github.edgeprune.bench.TrainBenchmark $args
