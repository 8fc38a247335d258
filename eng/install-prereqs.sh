#!/usr/bin/env bash
# Makes sure the AppHost can run MySQL, Redis and RabbitMQ here: a container engine that answers is enough;
# otherwise the servers are installed from the system packages when we may (root or sudo), or we say what to install.
# --tests also installs what the tests use beyond the servers: Debian's chromium for the dashboard's browser test,
# and the mariadb client and iproute2 (ss) that the lock-down tests call.
set -euo pipefail

missing=()
engine=""
for candidate in docker podman; do
  if command -v "$candidate" >/dev/null && timeout 5 "$candidate" info >/dev/null 2>&1; then
    engine=$candidate  # the AppHost runs the official images instead
    break
  fi
done
if [ -z "$engine" ] || [ "${1:-}" = "--tests" ]; then  # the hosting tests run the binaries themselves
  command -v mariadbd >/dev/null || command -v mysqld >/dev/null || [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] || missing+=(mariadb-server)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || command -v rabbitmq-server >/dev/null || missing+=(rabbitmq-server)
fi
if [ "${1:-}" = "--tests" ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v mariadb >/dev/null || missing+=(mariadb-client)
  command -v ss >/dev/null || missing+=(iproute2)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Missing: ${missing[*]}. Install them (sudo apt-get install -y ${missing[*]}), start docker or podman," >&2
  echo "or point ConnectionStrings:mysql / ConnectionStrings:redis / ConnectionStrings:messaging at running servers." >&2
  exit 1
fi

if ! command -v apt-get >/dev/null; then
  echo "Missing: ${missing[*]}, and there is no apt-get here: install them with this system's package manager." >&2
  exit 1
fi

echo "Installing ${missing[*]} from the system packages..." >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
