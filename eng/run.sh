#!/usr/bin/env bash
# The README's run command: installs what is missing, then runs the whole platform.
set -euo pipefail
cd "$(dirname "$0")/.."
eng/install-prereqs.sh
exec dotnet run --project AppHost "$@"
