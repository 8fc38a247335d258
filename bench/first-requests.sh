#!/usr/bin/env bash
# The first requests after a start: the AppHost is started, every resource is waited for until healthy, and a reader's
# journey then goes through the gateway once, each request timed: the pages, register and login, a top-up paid through
# the sandbox, an order paid with coins, a comment. A 503 is a first request that spent its budget (1.5 s in a service,
# 2 s at the gateway). Usage: bench/first-requests.sh [runs, default 3]
#   settle=S waits S seconds after every resource is healthy before the journey (default 0: at once, as a user would).
# Needs the aspire CLI (dotnet tool install -g Aspire.Cli --version 13.6.5), which says when every resource is healthy.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
settle=${settle:-0}
command -v aspire >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
dotnet build -c Release AppHost -v q -nologo >/dev/null
for policy in standard login register; do
  export "RateLimiting__Policies__${policy}__PermitLimit=100000000" "RateLimiting__Policies__${policy}__TokensPerPeriod=100000000"
done

gateway=''
token=''
# One request: label, method, path, body, idempotency key. Prints the status and seconds of each try, and keeps the
# body. A 503 is tried again after its Retry-After, as a client would, at most three times in all, so the journey goes on.
request() {
  local args=(-s -o /tmp/dedao-bench-first-body -D /tmp/dedao-bench-first-headers -w "%{http_code} %{time_total}" -X "$2"
    -H "Content-Type: application/json")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "${4:-}" ] && args+=(--data-binary "$4")
  [ -n "${5:-}" ] && args+=(-H "Idempotency-Key: $5")
  local answer tries=''
  for _ in 1 2 3; do
    answer=$(curl "${args[@]}" "$gateway$3")
    tries="$tries  $answer"
    [ "${answer%% *}" = 503 ] || break
    sleep "$(tr -d '\r' < /tmp/dedao-bench-first-headers | awk 'tolower($1) == "retry-after:" { print $2 }' | head -1 | grep -E '^[0-9]+$' || echo 1)"
  done
  printf "%-14s%s\n" "$1" "$tries"
}

journey() {
  local phone
  phone=139$(date +%N | cut -c1-8)
  token=''
  request columns GET /api/v1/columns
  request column GET /api/v1/columns/1
  request column-v2 GET /api/v2/columns/1
  request course GET /api/v1/courses/1
  request comments GET "/api/v1/comments?targetType=article&targetId=1"
  request register POST /api/v1/passport/register "{\"phone\":\"$phone\",\"password\":\"password123\",\"nickname\":\"first\"}"
  request login POST /api/v1/passport/login "{\"phone\":\"$phone\",\"password\":\"password123\"}"
  token=$(jq -r '.accessToken // empty' /tmp/dedao-bench-first-body 2>/dev/null || true)
  request me GET /api/v1/passport/me
  request wallet GET /api/v1/coins/wallet
  request topup POST /api/v1/coins/topups '{"coins":500}' "topup-$phone"
  local payment
  payment=$(jq -r '.paymentId // empty' /tmp/dedao-bench-first-body 2>/dev/null || true)
  request confirm POST "/api/v1/payments/sandbox/$payment/confirm" '{"result":"success"}'
  for _ in $(seq 1 100); do
    curl -s -H "Authorization: Bearer $token" "$gateway/api/v1/coins/wallet" | grep -q '"balance":500' && break
    sleep 0.1
  done
  request order POST /api/v1/orders '{"productType":"column","productId":2}' "order-$phone"
  local order
  order=$(jq -r '.orderId // empty' /tmp/dedao-bench-first-body 2>/dev/null || true)
  request pay POST /api/v1/payments "{\"orderId\":$order,\"channel\":\"coin\"}" "pay-$phone"
  request orders GET /api/v1/orders
  request ledger GET /api/v1/coins/ledger
  request article GET /api/v1/columns/1/articles/1
  request comment POST /api/v1/comments '{"targetType":"article","targetId":1,"content":"first"}'
  request mine GET /api/v1/comments/mine
}

mkdir -p bench/results
out=bench/results/first-requests-$(date +%Y%m%d-%H%M%S).txt
apphost=''
trap '[ -n "$apphost" ] && kill -TERM $apphost 2>/dev/null; wait 2>/dev/null || true' EXIT
for run in $(seq 1 "$runs"); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  gateway=http://127.0.0.1:$port
  dotnet run --project AppHost -c Release --no-build -- --AppHost:Ephemeral=true --AppHost:GatewayPort="$port" \
    > /tmp/dedao-bench-first-apphost.log 2>&1 &
  apphost=$!
  started=$(date +%s)
  for _ in $(seq 1 300); do
    kill -0 $apphost 2>/dev/null || { cat /tmp/dedao-bench-first-apphost.log; exit 1; }
    unhealthy=$(aspire describe --format Json --apphost AppHost/Dedao.AppHost.csproj --nologo --non-interactive 2>/dev/null \
      | sed -n '/^{/,$p' | jq '[.resources[] | select(.resourceType != "Parameter" and .healthStatus != "Healthy")] | length' 2>/dev/null || echo x)
    [ "$unhealthy" = 0 ] && break
    sleep 1
  done
  {
    echo "run $run of $runs: every resource healthy $(( $(date +%s) - started )) s after the start; journey $settle s later ($(nproc) cores, Release)"
    sleep "$settle"
    journey
  } | tee -a "$out"
  kill -TERM $apphost
  wait $apphost 2>/dev/null || true
  apphost=''
done
echo "first requests answered 503: $(grep -cE '^[a-z0-9-]+ +503 ' "$out" || true) of $(grep -cE '^[a-z0-9-]+ +[0-9]{3} ' "$out"), in $out"
