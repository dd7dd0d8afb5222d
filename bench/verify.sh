#!/usr/bin/env bash
# verify-on-device over SSH to this machine (a throw-away sshd on loopback, as the tests use),
# yolov5n FP16 IR on COCO128 at 640 with the djl backend, one image at a time as the paper
# measured: prints inference and frame latency, peak memory, and the device's mAP50 next to
# evaluate's of the same IR. Needs root and Debian's openssh-server.
#   bench/verify.sh [model] [data] [imgsz] [backend]
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/coco128/coco128.yaml} ${3:-640} ${4:-djl}"
bench/run-main.sh io.github.edgeprune.bench.VerifyBenchmark $args
