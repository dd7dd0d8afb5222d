#!/usr/bin/env bash
# The paper's study (what prune:optimize -Dprune.candidates=paper runs): yolov5n.pt fine-tuned the same
# epochs three ways (dynamic pruning, static pruning, unpruned) at the paper's amounts, each exported
# and measured on this machine as the device; prints the paper-shaped table and writes paper.json,
# paper.html and paper.md under <output>/paper. A second run with the same arguments re-uses every row.
#   bench/paper.sh [model] [data] [imgsz] [epochs] [output] [backend]
# defaults: yolov5n.pt, the traffic set, 320, 10 epochs (docs/paper.md says why), target/paper-bench/<data>, auto
set -euo pipefail
cd "$(dirname "$0")/.."
data_root=${EDGEPRUNE_DATA:-$( [ -d ../shared/data ] && echo ../shared/data || echo /work/shared/data )}
data=${2:-$data_root/traffic/traffic.yaml}
args="${1:-$data_root/models/yolov5n.pt} $data ${3:-320} ${4:-10} ${5:-target/paper-bench/$(basename "$data" .yaml)} ${6:-auto}"
# PyTorch's OpenMP threads spin while they wait; on a busy 2-core machine that starves the work (see pom.xml)
export OMP_WAIT_POLICY=PASSIVE
mvn -o -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
# absolute class path entries: the agent it starts runs from its own working folder
exec java -Xmx8g -Djava.awt.headless=true -cp "$PWD/target/test-classes:$PWD/target/classes:$(cat target/bench.classpath)" \
    io.github.edgeprune.bench.PaperBenchmark $args
