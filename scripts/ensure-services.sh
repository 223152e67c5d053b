#!/usr/bin/env bash
# The integration tests talk to a real PostgreSQL (127.0.0.1:5432, user postgres, trust auth) and a
# real Redis (127.0.0.1:6379). Start whichever is down, with the machine's own packages; install Chromium
# (the Shopify app's browser tests) when it is missing and apt-get can.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done
  return 1
}

if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "▸ PostgreSQL is down; starting it" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >&2 || true
  fi
  wait_port 5432 || echo "⚠ PostgreSQL is not reachable on 127.0.0.1:5432; the Medusa tests will fail. Start it and run ./dev test again." >&2
fi

if ! port_open 6379; then
  if command -v redis-server >/dev/null; then
    echo "▸ Redis is down; starting it" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || true
  fi
  wait_port 6379 || echo "⚠ Redis is not reachable on 127.0.0.1:6379; the Redis queue tests will fail. Start it and run ./dev test again." >&2
fi
# The Shopify app's browser tests drive Debian's chromium (playwright-core, no browser download).
if [ -z "${NEUROON_TEST_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "▸ Chromium is missing; installing Debian's chromium for the Shopify app's browser tests" >&2
    (apt-get install -y -q --no-install-recommends chromium >&2 \
      || { apt-get update -q >&2 && apt-get install -y -q --no-install-recommends chromium >&2; }) || true
  fi
  command -v chromium >/dev/null || echo "⚠ chromium is not installed; the Shopify app's browser tests will fail. Install it (apt-get install chromium) or set NEUROON_TEST_CHROMIUM, then run ./dev test again." >&2
fi
exit 0
