#!/usr/bin/env bash
# Webhook ingest throughput of one `partnerdesk serve` instance, beside a
# pgbench single-row INSERT baseline on the same PostgreSQL cluster.
#
#   bench/webhook-ingest.sh [DURATION=20s] [CONNECTIONS=32]
#
# It builds bin/partnerdesk-bench, starts a scratch PostgreSQL cluster with
# durable default settings (fsync and synchronous_commit on) under a temp
# dir, runs pgbench (one INSERT per transaction into a scratch table), then
# starts the dev IdP and serve (demo mode, one configured signing key) and
# drives it with wrk + bench/webhook-ingest.lua (unique event ids, signed
# bodies). Everything it starts is stopped and removed at exit.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-20s}
CONNS=${2:-32}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
work=$(mktemp -d /tmp/pd-bench-XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  as_pg "$PGBIN/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o bin/partnerdesk-bench ./cmd/partnerdesk
as_pg "$PGBIN/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
  -o "-c listen_addresses= -c unix_socket_directories=$work -c max_connections=200" start >/dev/null
as_pg "$PGBIN/createdb" -h "$work" -U postgres pd

echo "== pgbench: one single-row INSERT per transaction, $CONNS clients, $DUR"
"$PGBIN/psql" -q -h "$work" -U postgres -d pd -c "CREATE TABLE bench_scratch (id bigserial PRIMARY KEY, v text NOT NULL)"
echo "INSERT INTO bench_scratch (v) VALUES (md5(random()::text));" > "$work/insert.sql"
"$PGBIN/pgbench" -h "$work" -U postgres -n -f "$work/insert.sql" -c "$CONNS" -j 2 -T "${DUR%s}" -P 5 pd 2>&1 | grep -E "tps|latency|transactions actually"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
IDP=127.0.0.1:$(free_port)
APP=127.0.0.1:$(free_port)
bin/partnerdesk-bench dev-idp --addr "$IDP" --allow-loopback-redirects >"$work/idp.log" 2>&1 & pids+=($!)
export PD_SIGNING_KEY_ID=krn:partner:global:notification:signing-key:bench PD_SIGNING_KEY=bench-signing-secret
PARTNERDESK_DATABASE_URL="postgres://postgres@/pd?host=$work&sslmode=disable" PARTNERDESK_HTTP_ADDR=$APP \
PARTNERDESK_OIDC_ISSUER=http://$IDP PARTNERDESK_DEMO=true PARTNERDESK_LOG_LEVEL=warn \
PARTNERDESK_KLARNA_WEBHOOK_SIGNING_KEYS="$PD_SIGNING_KEY_ID=$PD_SIGNING_KEY" \
PARTNERDESK_JOB_WORKERS=${JOB_WORKERS:-50} PARTNERDESK_DB_MAX_CONNS=${DB_MAX_CONNS:-40} \
  bin/partnerdesk-bench serve >"$work/serve.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -fs "http://$APP/readyz" >/dev/null && break; sleep 0.2; done
curl -fs "http://$APP/readyz" >/dev/null || { echo "serve did not start:"; tail -20 "$work/serve.log"; exit 1; }

echo "== wrk: signed deliveries with unique event ids to one serve instance, $CONNS connections, $DUR"
wrk -t2 -c"$CONNS" -d"$DUR" --latency -s bench/webhook-ingest.lua "http://$APP" | grep -vE "^\s+(50|75|90|99)%"
stored=$("$PGBIN/psql" -At -h "$work" -U postgres -d pd -c "SELECT count(*) FROM webhook_events")
processed=$("$PGBIN/psql" -At -h "$work" -U postgres -d pd -c "SELECT count(*) FROM webhook_events WHERE status = 'processed'")
echo "stored events: $stored (processed by the end of the run: $processed)"
