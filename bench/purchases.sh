#!/usr/bin/env bash
# Coin purchases per second end to end through the gateway (create order, pay with coins, until the order is paid, or
# completed once column/course grant access: settled=completed), with N users in parallel; p50/p99 of one purchase, then
# the CPU each process on the machine spent during the measured run and the MySQL statements, transactions and fsyncs per
# purchase, then the money invariants of every user
# (balance >= 0, balance = sum of ledger, each product bought once).
# The AppHost runs under DCP in Release with the gateway's limits lifted. Usage: bench/purchases.sh [users, default 100]
#   warmup=N users buy everything first, unmeasured (default 200), so the numbers are a warm platform's.
#   A client waits for its order to settle (If-None-Match with the status it saw, Prefer: wait); poll=1 polls with back-off.
# Results also go to bench/results/purchases-<date>.txt, followed by what the services logged as errors during the run.
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-100}
# The share of requests traced, as production would sample; sampling=1 traces every request, as development does.
sampling=${sampling:-0.01}
# Telemetry leaves each service once a minute, OpenTelemetry's default, not every second as in development: ten services
# exporting every second took a fifth of a core from the one measured, idle (telemetry_interval=00:00:01 measures it that way).
telemetry_interval=${telemetry_interval:-00:01:00}
dotnet build -c Release AppHost -v q -nologo >/dev/null
dotnet build -c Release bench/Purchases -v q -nologo >/dev/null

gateway_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# The limiter would turn most of a load test into 429s; lift it for the measurement. DCP passes the environment on.
for policy in standard login register; do
  export "RateLimiting__Policies__${policy}__PermitLimit=100000000" "RateLimiting__Policies__${policy}__TokensPerPeriod=100000000"
done
dotnet run --project AppHost -c Release --no-build -- --AppHost:Ephemeral=true --AppHost:GatewayPort=$gateway_port \
  --AppHost:TraceSampleRatio="$sampling" --AppHost:TelemetryExportInterval="$telemetry_interval" \
  > /tmp/dedao-bench-purchases-apphost.log 2>&1 &
apphost=$!  # SIGTERM, not SIGINT, stops it: a background job of a script ignores SIGINT
out=''
# A load test finds the failures no functional test does; what the services logged about them is in the dashboard,
# which goes away with the AppHost: printed first, whether the run ended well or not.
errors() {
  command -v aspire >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
  command -v aspire >/dev/null || return 0
  echo "errors the services logged (aspire otel logs --severity Error):"
  aspire otel logs --severity Error --format Table --apphost AppHost/Dedao.AppHost.csproj --nologo --non-interactive 2>&1 | tail -200
  # The table has only each message, and a 500's is "Unhandled exception": the exceptions themselves, by count.
  command -v jq >/dev/null || return 0
  echo "their exceptions (first line), by count:"
  aspire otel logs --severity Error --format Json --apphost AppHost/Dedao.AppHost.csproj --nologo --non-interactive 2>/dev/null \
    | jq -r '.[] | select(.exception) | "\(.resourceName): \(.exception | split("\n")[0])"' | sort | uniq -c | sort -rn | head -20
}
trap '{ errors | tee -a "${out:-/dev/null}"; } || true; kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true' EXIT

for _ in $(seq 1 480); do
  curl -sf -o /dev/null "http://127.0.0.1:$gateway_port/api/v1/columns/1" && break
  kill -0 $apphost 2>/dev/null || { cat /tmp/dedao-bench-purchases-apphost.log; exit 1; }
  sleep 0.5
done

# The database's counters need its address and generated password, which order's environment holds.
order_pid=$(pgrep -x Dedao.Order | head -1 || true)
if [ -n "$order_pid" ]; then
  DEDAO_BENCH_MYSQL=$(tr '\0' '\n' < "/proc/$order_pid/environ" | sed -n 's/^ConnectionStrings__orderdb=//p')
  export DEDAO_BENCH_MYSQL
fi

mkdir -p bench/results
out=bench/results/purchases-$(date +%Y%m%d-%H%M%S).txt
{
  echo "coin purchases end to end, $users users, $(nproc) cores, Release build, traces sampled at $sampling, telemetry exported every $telemetry_interval"
  dotnet bench/Purchases/bin/Release/net10.0/Dedao.Bench.Purchases.dll "http://127.0.0.1:$gateway_port" "$users"
} | tee "$out"

