#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs every test project against real servers,
# and ends with one line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

eng/install-prereqs.sh --tests || { echo "0 passed, 1 failed"; exit 1; }

log=$(mktemp)
dotnet test Dedao.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

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
