#!/usr/bin/env bash
# After a failed test run: the last warnings and failures each resource of a failed suite wrote to its console, from the
# files tests/Dedao.Testing's ResourceLogArchive keeps (one folder per test assembly, one per app model in it).
# Usage: eng/resource-logs.sh <folder> <test assembly>...   e.g. eng/resource-logs.sh "$DEDAO_RESOURCE_LOGS" Dedao.Commerce.Tests
set -uo pipefail
folder=$1; shift
entries=${RESOURCE_LOG_ENTRIES:-15}
for suite in "$@"; do
  for file in "$folder/$suite"/*/*.log; do
    [ -f "$file" ] || continue
    # Lines are "<time> <text>"; stdout and stderr come in apart, and the time puts them back in order. An entry starts
    # at a .NET console line at warn, fail or crit, an unhandled exception, a server's [ERROR] or [warning], or Aspire's
    # "Failed to …" about the resource; up to six lines after it belong to it when they are indented (a message, a stack)
    # or carry its very time (the lines of one message that spans lines).
    sort -s -k1,1 "$file" | awk -v max="$entries" -v name="${file#"$folder"/}" '
      { time = $1; text = substr($0, index($0, " ") + 1) }
      more > 0 && (time == start || text ~ /^[ \t]/) { entry[n % max] = entry[n % max] "\n" $0; more--; next }
      text ~ /^(warn|fail|crit): |^Unhandled exception|\[(ERROR|Warning|error|warning)\]|^Failed to / {
        n++; entry[n % max] = $0; start = time; more = 6; next
      }
      { more = 0 }
      END {
        if (n == 0) exit
        printf "== %s: %d warnings and failures%s\n", name, n, (n > max ? ", the last " max ":" : ":")
        for (i = (n > max ? n - max + 1 : 1); i <= n; i++) print entry[i % max]
      }'
  done
done
