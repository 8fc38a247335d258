#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test project against real servers,
# and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

eng/install-prereqs.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
# Every resource's console, kept by the tests' app models for the report below when a suite fails.
DEDAO_RESOURCE_LOGS=$(mktemp -d /tmp/dedao-resource-logs.XXXXXX)
export DEDAO_RESOURCE_LOGS
dotnet test Dedao.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ]; then
  # "Failed!  - Failed:     1, Passed:    34, ... - Dedao.Commerce.Tests.dll (net10.0)"; a crashed test host reports no
  # line, so without one every suite that kept consoles is shown.
  failed_suites=$(sed -nE 's/^Failed! .* - ([A-Za-z.]+\.Tests)\.dll.*/\1/p' "$log")
  [ -n "$failed_suites" ] || failed_suites=$(ls "$DEDAO_RESOURCE_LOGS")
  echo "The services' last warnings and failures in the failed suites:"
  # shellcheck disable=SC2086 # one word per suite
  eng/resource-logs.sh "$DEDAO_RESOURCE_LOGS" $failed_suites
fi
rm -rf "$DEDAO_RESOURCE_LOGS"

# One summary line per test assembly: "Passed!  - Failed:     0, Passed:    14, Skipped: ..."
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{ total += $2 } END { print total + 0 }'; }
passed=$(sum Passed)
failed=$(sum Failed)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1  # the build, or a test host, failed before any test could report
fi
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ]
