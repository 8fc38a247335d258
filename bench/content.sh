#!/usr/bin/env bash
# Requests per second of a column's home page, v1 and v2, anonymous and signed in as a subscriber, straight to the
# column service and through the gateway, with wrk, before any cache: the "no cache" row of the caching issue's table.
# The AppHost runs under DCP (Release build, state in a temporary folder); endpoints are found with the aspire CLI.
# Usage: bench/content.sh [seconds per run, default 10] ; results also go to bench/results/content-<date>.txt
#   column=5 bench/content.sh   measures another column (the default, 1, is paid and has featured comments).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
column=${column:-1}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
command -v mysql >/dev/null || { echo "the mysql client is missing: apt-get install mariadb-client" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is missing: apt-get install jq" >&2; exit 1; }
command -v aspire >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
command -v aspire >/dev/null || dotnet tool install -g Aspire.Cli --version 13.6.5 >/dev/null
dotnet build -c Release AppHost -v q -nologo >/dev/null

gateway_port=5190
state=$(mktemp -d /tmp/dedao-bench-content.XXXXXX)
# The limiter would turn most of a load test into 429s; lift it for the measurement. DCP passes the environment on.
export RateLimiting__Policies__standard__PermitLimit=100000000 RateLimiting__Policies__standard__TokensPerPeriod=100000000
dotnet run --project AppHost -c Release --no-build -- --AppHost:StateFolder="$state" --AppHost:GatewayPort=$gateway_port \
  > /tmp/dedao-bench-content-apphost.log 2>&1 &
apphost=$!  # SIGTERM, not SIGINT, stops it: a background job of a script ignores SIGINT
trap 'kill -TERM $apphost 2>/dev/null; wait $apphost 2>/dev/null || true; rm -rf "$state"' EXIT

gateway=http://127.0.0.1:$gateway_port
for attempt in $(seq 1 600); do
  curl -sf -o /dev/null "$gateway/api/v1/columns/$column" && break
  kill -0 $apphost 2>/dev/null || { cat /tmp/dedao-bench-content-apphost.log; exit 1; }
  [ "$attempt" -lt 600 ] || { echo "column $column did not answer through the gateway within 5 minutes" >&2; exit 1; }
  sleep 0.5
done
describe() {
  aspire describe "$1" --format Json --apphost AppHost/Dedao.AppHost.csproj 2>/dev/null | grep -o "\"url\": *\"$2://[^\"]*\"" | head -1 \
    | grep -o "$2://[^\"]*"
}
backend=$(describe column http)
[ -n "$backend" ] || { echo "aspire describe found no http endpoint for column" >&2; exit 1; }
mysql_port=$(describe mysql tcp | grep -o '[0-9]*$')
[ -n "$mysql_port" ] || { echo "aspire describe found no tcp endpoint for mysql" >&2; exit 1; }

# A subscriber: a new reader whose purchase is put into column's projection as order.paid would put it.
phone=139$(shuf -i 10000000-99999999 -n 1)
user=$(curl -s -H 'Content-Type: application/json' -d "{\"phone\":\"$phone\",\"password\":\"bench password\",\"nickname\":\"bench\"}" \
  "$gateway/api/v1/passport/register" | jq -r .userId)
token=$(curl -s -H 'Content-Type: application/json' -d "{\"phone\":\"$phone\",\"password\":\"bench password\"}" \
  "$gateway/api/v1/passport/login" | jq -r .accessToken)
[ -n "$user" ] && [ -n "$token" ] || { echo "could not sign up the bench reader" >&2; exit 1; }
MYSQL_PWD=$(cat "$state/secrets/mysql-password") mysql -h 127.0.0.1 -P "$mysql_port" -u root columndb \
  -e "INSERT INTO Subscriptions (UserId, ColumnId, OrderId, GrantedAt) VALUES ('$user', $column, 0, UTC_TIMESTAMP(6))"
subscribed=$(curl -sf -H "Authorization: Bearer $token" "$gateway/api/v1/columns/$column" | jq -r .subscribed)
[ "$subscribed" = true ] || { echo "the bench reader is not subscribed to column $column" >&2; exit 1; }

mkdir -p bench/results
out=bench/results/content-$(date +%Y%m%d-%H%M%S).txt
{
  echo "GET column $column home page, no cache, wrk -t2 -c32 -d${seconds}s, $(nproc) cores, Release build"
  for version in v1 v2; do
    for who in anonymous subscriber; do
      header=(); [ $who = subscriber ] && header=(-H "Authorization: Bearer $token")
      for target in "direct $backend" "gateway $gateway"; do
        set -- $target
        url="$2/api/$version/columns/$column"
        wrk -t2 -c32 -d1s "${header[@]}" "$url" >/dev/null  # warm-up
        printf '== %s %s %-10s ' "$version" "$who" "$1"
        wrk -t2 -c32 -d"${seconds}s" --latency "${header[@]}" "$url" \
          | awk '/Requests\/sec/ {rps=$2} / 50%/ {p50=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%8s req/s  p50 %8s  p99 %8s  non-2xx %s\n", rps, p50, p99, bad+0}'
      done
    done
  done
} | tee "$out"
