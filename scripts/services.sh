#!/usr/bin/env bash
# Start PostgreSQL and Redis for the integration tests when they are not running. Idempotent.
# The commands are the ones this machine kind uses to start them (see the environment notes).
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
    if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
        echo "services: starting PostgreSQL" >&2
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    else
        echo "services: PostgreSQL is not installed; its tests will be skipped" >&2
    fi
fi

if ! port_open 6379; then
    if command -v redis-server >/dev/null 2>&1; then
        echo "services: starting Redis" >&2
        mkdir -p /var/lib/redis /var/log/redis
        redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
            --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    else
        echo "services: Redis is not installed; its tests will be skipped" >&2
    fi
fi

for _ in $(seq 1 30); do
    if port_open 5432 && port_open 6379; then exit 0; fi
    sleep 0.5
done
echo "services: PostgreSQL or Redis did not come up" >&2
