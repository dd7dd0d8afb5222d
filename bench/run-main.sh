#!/usr/bin/env bash
# Compiles the project and runs a benchmark main from the test sources in its own JVM, with the
# test class path (so the agent it starts gets real jars, and nothing else runs in that JVM).
#   bench/run-main.sh <main class> [args...]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -Xmx8g -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" "$@"
