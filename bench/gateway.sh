#!/usr/bin/env bash
# Requests per second of an anonymous GET (a page of columns) three ways, in one run with wrk:
# the column service directly, through a bare YARP hop, and through the gateway (auth, limits, discovery, telemetry).
# The AppHost runs under DCP; endpoints are found with the aspire CLI (aspire describe).
# Usage: bench/gateway.sh [seconds per run, default 15] ; results also go to bench/results/gateway-<date>.txt
#   service=passport path=/api/v1/passport/.well-known/jwks.json bench/gateway.sh   measures a cheap endpoint instead,
#   so the hop itself, not the backend's query, dominates.
#   proxied=true bench/gateway.sh   puts DCP's proxy in front of every service (AppHost:ProxyServices), Aspire's default.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
proxied=${proxied:-false}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v aspire >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
command -v aspire >/dev/null || dotnet tool install -g Aspire.Cli --version 13.6.5 >/dev/null
dotnet build -c Release AppHost -v q -nologo >/dev/null
dotnet build -c Release bench/BareYarp -v q -nologo >/dev/null

gateway_port=5180 yarp_port=5181
# The limiter would turn most of a load test into 429s; lift it for the measurement. DCP passes the environment on.
export RateLimiting__Policies__standard__PermitLimit=100000000 RateLimiting__Policies__standard__TokensPerPeriod=100000000
dotnet run --project AppHost -c Release --no-build -- --AppHost:Ephemeral=true --AppHost:GatewayPort=$gateway_port \
  --AppHost:ProxyServices=$proxied > /tmp/dedao-bench-apphost.log 2>&1 &
apphost=$!  # SIGTERM, not SIGINT, stops it: a background job of a script ignores SIGINT
trap 'kill -TERM $apphost 2>/dev/null; kill ${yarp:-} 2>/dev/null || true; wait $apphost 2>/dev/null || true' EXIT

service=${service:-column}
path=${path:-/api/v1/columns?limit=20}
for _ in $(seq 1 240); do
  curl -sf -o /dev/null "http://127.0.0.1:$gateway_port/health" && break
  kill -0 $apphost 2>/dev/null || { cat /tmp/dedao-bench-apphost.log; exit 1; }
  sleep 0.5
done
backend=$(aspire describe "$service" --format Json --apphost AppHost/Dedao.AppHost.csproj 2>/dev/null \
  | grep -o '"url": *"http://[^"]*"' | head -1 | grep -o 'http://[^"]*')
[ -n "$backend" ] || { echo "aspire describe found no http endpoint for $service" >&2; exit 1; }

dotnet bench/BareYarp/bin/Release/net10.0/Dedao.Bench.BareYarp.dll --urls http://127.0.0.1:$yarp_port --Destination "$backend" &
yarp=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$yarp_port$path" && break; sleep 0.2; done

mkdir -p bench/results
out=bench/results/gateway-$(date +%Y%m%d-%H%M%S).txt
{
  echo "anonymous GET $path, wrk -t2 -c32 -d${seconds}s, $(nproc) cores, Release build, DCP proxy in front of services: $proxied"
  for target in "direct $backend" "bare-yarp http://127.0.0.1:$yarp_port" "gateway http://127.0.0.1:$gateway_port"; do
    set -- $target
    wrk -t2 -c32 -d1s "$2$path" >/dev/null  # warm-up
    echo "== $1 ($2)"
    wrk -t2 -c32 -d"${seconds}s" --latency "$2$path" | grep -E "Requests/sec|Latency|50%|99%|Non-2xx"
  done
} | tee "$out"
