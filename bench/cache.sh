#!/usr/bin/env bash
# The caching issue's table, side by side in one run: a free and a paid column home page (the paid one as a subscriber,
# so its per-reader part is asked too), straight to the column service and through the gateway, for each cache mode
# (Caching:Mode: None, Redis, Bytes, Objects), against the limit: bare Kestrel answering the same bytes, and for the
# gateway rows one bare YARP hop in front of it. Each row gives requests per second, p99, and its fraction of the limit.
# The AppHost runs once per mode (Release build, one column replica so "direct" is the process itself, state kept in one
# temporary folder across the runs); endpoints are found with the aspire CLI.
# Usage: bench/cache.sh [seconds per run, default 10] ; results also go to bench/results/cache-<date>.txt
#   modes="None Objects" bench/cache.sh   runs fewer rows; sampling=1 bench/cache.sh traces every request (default 0.01);
#   warmup=N bench/cache.sh   loads each page for N seconds before it is measured (default 30);
#   api=v2 bench/cache.sh   measures the v2 home page, whose featured-comment counts column asks of comment.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
warmup=${warmup:-30}
modes=${modes:-None Redis Bytes Objects}
free_column=${free_column:-4} paid_column=${paid_column:-1}
# The share of requests traced, as production would sample; sampling=1 traces every request, as development does.
sampling=${sampling:-0.01}
api=${api:-v1}
# Telemetry leaves each service once a minute, OpenTelemetry's default, not every second as in development: ten services
# exporting every second took a fifth of a core from the one measured, idle (telemetry_interval=00:00:01 measures it that way).
telemetry_interval=${telemetry_interval:-00:01:00}
for tool in wrk mysql jq curl; do command -v $tool >/dev/null || { echo "$tool is missing (apt-get install wrk mariadb-client jq curl)" >&2; exit 1; }; done
command -v aspire >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
command -v aspire >/dev/null || dotnet tool install -g Aspire.Cli --version 13.6.5 >/dev/null
for project in AppHost bench/BareYarp bench/BareKestrel; do dotnet build -c Release $project -v q -nologo >/dev/null; done

gateway_port=5191 kestrel_port=5192 yarp_port=5193
gateway=http://127.0.0.1:$gateway_port
state=$(mktemp -d /tmp/dedao-bench-cache.XXXXXX)
pages=$state/pages
mkdir -p "$pages" bench/results
out=bench/results/cache-$(date +%Y%m%d-%H%M%S).txt
# The limiter would turn most of a load test into 429s; lift it for the measurement. DCP passes the environment on.
for policy in standard login register; do
  export "RateLimiting__Policies__${policy}__PermitLimit=100000000" "RateLimiting__Policies__${policy}__TokensPerPeriod=100000000"
done
apphost='' kestrel='' yarp=''
stop() { for pid in $apphost $kestrel $yarp; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; }
trap 'stop; rm -rf "$state"' EXIT

# wrk as the issue measured (-t1 -c32); prints "rps p99" in microseconds.
measure() {
  local url=$1; shift
  # Warm-up: fills the caches and lets JIT's tiers settle. Within minutes of each other, the paid page direct measured
  # 17,500 req/s after 10 s of it and 29,000 after 30 s.
  wrk -t1 -c32 -d"${warmup}s" "$@" "$url" >/dev/null
  wrk -t1 -c32 -d"${seconds}s" --latency "$@" "$url" | awk '
    function us(v) { if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v }
    /Requests\/sec/ {rps=$2} / 99%/ {p99=us($2)} /Non-2xx/ {bad=$NF}
    END { if (bad > 0) print "non-2xx:" bad > "/dev/stderr"; printf "%d %d\n", rps, p99 }'
}

# Waits (up to a minute) until the CPUs are at least 80 % idle over a second.
quiet() {
  for _ in $(seq 1 60); do
    read -r _ user nice system idle rest < /proc/stat; busy1=$((user + nice + system)); idle1=$idle
    sleep 1
    read -r _ user nice system idle rest < /proc/stat; busy2=$((user + nice + system)); idle2=$idle
    [ $(( (idle2 - idle1) * 100 / (idle2 - idle1 + busy2 - busy1 + 1) )) -ge 80 ] && return
  done
  echo "the machine did not get quiet; measuring anyway" >&2
}

describe() {
  aspire describe "$1" --format Json --apphost AppHost/Dedao.AppHost.csproj 2>/dev/null | grep -o "\"url\": *\"$2://[^\"]*\"" | head -1 \
    | grep -o "$2://[^\"]*"
}

results=$state/results
for mode in $modes; do
  # Not the launch profile: its dashboard ports (18887-18890) may be another run's.
  Caching__Mode=$mode ASPNETCORE_URLS=http://127.0.0.1:5194 ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://127.0.0.1:5195 \
    ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL=http://127.0.0.1:5196 ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://127.0.0.1:5197 \
    ASPIRE_ALLOW_UNSECURED_TRANSPORT=true DOTNET_ENVIRONMENT=Development \
    dotnet run --project AppHost -c Release --no-build --no-launch-profile -- --AppHost:StateFolder="$state/apphost" \
    --AppHost:GatewayPort=$gateway_port --AppHost:ColumnReplicas=1 --AppHost:TraceSampleRatio="$sampling" --AppHost:TelemetryExportInterval="$telemetry_interval" > "$state/apphost-$mode.log" 2>&1 &
  apphost=$!
  for attempt in $(seq 1 600); do
    curl -sf -o /dev/null "$gateway/api/v1/columns/$paid_column" && break
    kill -0 $apphost 2>/dev/null || { cat "$state/apphost-$mode.log"; exit 1; }
    [ "$attempt" -lt 600 ] || { echo "the column page did not answer through the gateway within 5 minutes" >&2; exit 1; }
    sleep 0.5
  done
  column=''
  for _ in $(seq 1 60); do column=$(describe column http || true); [ -n "$column" ] && break; sleep 1; done
  [ -n "$column" ] || { echo "aspire describe found no http endpoint for column" >&2; exit 1; }

  # Every service healthy and the machine quiet, so that none is still starting (JIT, migrations) while the page is measured.
  for _ in $(seq 1 240); do
    aspire describe --format Json --apphost AppHost/Dedao.AppHost.csproj 2>/dev/null \
      | jq -e '[.resources[] | select(.resourceType == "Project") | .healthStatus] | all(. == "Healthy")' >/dev/null && break
    sleep 0.5
  done
  quiet

  # A subscriber of the paid column, put into column's projection as order.paid would: a new one per mode, since the
  # databases may not outlive an AppHost run.
  phone=139$(shuf -i 10000000-99999999 -n 1)
  user=null
  for _ in $(seq 1 20); do
    user=$(curl -s -H 'Content-Type: application/json' -d "{\"phone\":\"$phone\",\"password\":\"bench password\",\"nickname\":\"bench\"}" \
      "$gateway/api/v1/passport/register" | jq -r .userId)
    [ "$user" != null ] && break
    sleep 1
  done
  mysql_port=$(describe mysql tcp | grep -o '[0-9]*$')
  MYSQL_PWD=$(cat "$state/apphost/secrets/mysql-password") mysql -h 127.0.0.1 -P "$mysql_port" -u root columndb \
    -e "INSERT INTO Subscriptions (UserId, ColumnId, OrderId, GrantedAt) VALUES ('$user', $paid_column, 0, UTC_TIMESTAMP(6))"
  token=$(curl -s -H 'Content-Type: application/json' -d "{\"phone\":\"$phone\",\"password\":\"bench password\"}" \
    "$gateway/api/v1/passport/login" | jq -r .accessToken)
  [ "$(curl -sf -H "Authorization: Bearer $token" "$column/api/v1/columns/$paid_column" | jq -r .subscribed)" = true ] \
    || { echo "the bench reader is not subscribed to column $paid_column" >&2; exit 1; }
  # The limit answers with exactly these bytes.
  curl -sf "$column/api/$api/columns/$free_column" > "$pages/free"
  curl -sf -H "Authorization: Bearer $token" "$column/api/$api/columns/$paid_column" > "$pages/paid"

  for page in free paid; do
    auth=(); id=$free_column
    [ $page = paid ] && { auth=(-H "Authorization: Bearer $token"); id=$paid_column; }
    echo "$mode $page direct $(measure "$column/api/$api/columns/$id" "${auth[@]}")" >> "$results"
    echo "$mode $page gateway $(measure "$gateway/api/$api/columns/$id" "${auth[@]}")" >> "$results"
  done
  kill -TERM $apphost; wait $apphost 2>/dev/null || true; apphost=''
  # The AppHost's exit does not wait for every process it ran: the next mode starts once the old gateway is gone.
  for _ in $(seq 1 120); do curl -s -o /dev/null "$gateway/" || break; sleep 0.5; done
done

dotnet bench/BareKestrel/bin/Release/net10.0/Dedao.Bench.BareKestrel.dll --urls http://127.0.0.1:$kestrel_port --Pages "$pages" &
kestrel=$!
dotnet bench/BareYarp/bin/Release/net10.0/Dedao.Bench.BareYarp.dll --urls http://127.0.0.1:$yarp_port --Destination http://127.0.0.1:$kestrel_port &
yarp=$!
for _ in $(seq 1 100); do curl -sf -o /dev/null "http://127.0.0.1:$yarp_port/free" && break; sleep 0.2; done
for page in free paid; do
  echo "limit $page direct $(measure "http://127.0.0.1:$kestrel_port/$page")" >> "$results"
  echo "limit $page gateway $(measure "http://127.0.0.1:$yarp_port/$page")" >> "$results"
done

{
  echo "column home page $api (free: column $free_column $(wc -c < "$pages/free") B; paid: column $paid_column as a subscriber, $(wc -c < "$pages/paid") B)"
  echo "wrk -t1 -c32 -d${seconds}s, $(nproc) cores, Release build, one column replica, traces sampled at $sampling, telemetry exported every $telemetry_interval; limit = bare Kestrel with the same bytes (direct), bare YARP in front of it (gateway)"
  awk '
    { rows[NR] = $0; if ($1 == "limit") limit[$2 " " $3] = $4 }
    END {
      printf "%-8s %-5s %-8s %10s %10s %9s\n", "mode", "page", "path", "req/s", "p99 (ms)", "of limit"
      for (i = 1; i <= NR; i++) {
        split(rows[i], f, " ")
        printf "%-8s %-5s %-8s %10d %10.2f %8.0f%%\n", f[1], f[2], f[3], f[4], f[5] / 1000, 100 * f[4] / limit[f[2] " " f[3]]
      }
    }' "$results"
} | tee "$out"
