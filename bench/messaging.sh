#!/usr/bin/env bash
# The event bus end to end on real MariaDB and RabbitMQ (started for the run on free ports, deleted after):
# commit-to-handler latency one event at a time, then events per second with many writers at once.
# Usage: bench/messaging.sh [sequential events, default 300] [writers, default 16] [events per writer, default 500]
#   [handlers at once per queue, default the bus's ConsumerConcurrency]
# Results also go to bench/results/messaging-<date>.txt
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release bench/Messaging -v q -nologo >/dev/null
mkdir -p bench/results
out=bench/results/messaging-$(date +%Y%m%d-%H%M%S).txt
{
  echo "$(nproc) cores, Release build, $(date -u +%FT%TZ)"
  dotnet bench/Messaging/bin/Release/net10.0/Dedao.Bench.Messaging.dll "$@" 2>/dev/null | grep -E "^(latency|throughput)"
} | tee "$out"
