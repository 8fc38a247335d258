#!/usr/bin/env bash
# After a failed test run: the last warnings and failures each service of a failed suite wrote to its console, from the
# files tests/Dedao.Testing's ResourceLogArchive keeps (one folder per test assembly, one per app model in it).
# Usage: eng/resource-logs.sh <folder> <test assembly>...   e.g. eng/resource-logs.sh "$DEDAO_RESOURCE_LOGS" Dedao.Commerce.Tests
set -uo pipefail
folder=$1; shift
entries=${RESOURCE_LOG_ENTRIES:-15}
for suite in "$@"; do
  for file in "$folder/$suite"/*/*.log; do
    [ -f "$file" ] || continue
    # Lines are "<time> <text>"; stdout and stderr come in apart, and the time puts them back in order. An entry is a
    # line at warn, fail or crit (the console formatter's level names) or an unhandled exception, with up to four of
    # the indented lines after it: the message and the top of a stack trace.
    sort -s -k1,1 "$file" | awk -v max="$entries" -v name="${file#"$folder"/}" '
      { text = substr($0, index($0, " ") + 1) }
      text ~ /^(warn|fail|crit): / || text ~ /^Unhandled exception/ { n++; entry[n % max] = $0; more = 4; next }
      more > 0 && text ~ /^[ \t]/ { entry[n % max] = entry[n % max] "\n" $0; more--; next }
      { more = 0 }
      END {
        if (n == 0) exit
        printf "== %s: %d warnings and failures%s\n", name, n, (n > max ? ", the last " max ":" : ":")
        for (i = (n > max ? n - max + 1 : 1); i <= n; i++) print entry[i % max]
      }'
  done
done
