#!/usr/bin/env bash
# Issue #10's accuracy after fine-tuning, on held-out data: (a) dense fine-tune for E epochs, (b) E epochs
# of sparsity training (bnL1), prune-channels to targetFlops, E more epochs, (c) prune-channels of (a) and
# E more epochs; each scored on the val split, exported, and timed with ONNX Runtime side by side.
#   bench/channels-finetune.sh [model] [data] [imgsz] [epochs] [targetFlops] [bnL1] [rounds] [output]
# defaults: yolov5n.pt, the traffic set, 320, 15 epochs, 0.6, 0.01, 2 rounds, target/channels-finetune
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
args="${1:-$data_root/models/yolov5n.pt} ${2:-$data_root/traffic/traffic.yaml} ${3:-320} ${4:-15} ${5:-0.6} ${6:-0.01} ${7:-2} ${8:-target/channels-finetune}"
# PyTorch's OpenMP threads spin while they wait; on a busy 2-core machine that starves the work (see pom.xml)
export OMP_WAIT_POLICY=PASSIVE
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# absolute class path entries: the agent it starts runs from its own working folder
exec java -Xmx8g -Djava.awt.headless=true -cp "$PWD/target/test-classes:$PWD/target/classes:$(cat target/bench.classpath)" \
    io.github.edgeprune.bench.ChannelsFinetuneBenchmark $args
