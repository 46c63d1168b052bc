#!/usr/bin/env bash
# The README's main command: the whole product on one machine with embedded defaults (SQLite and blobs in
# $NAVIS_DATA_DIR, an in-process worker pool, no Redis). The first run creates a demo patient login so the page
# can be tried at once; its token is kept in a file only the owner can read.
set -euo pipefail
cd "$(dirname "$0")/.."

export NAVIS_DATA_DIR=${NAVIS_DATA_DIR:-navis-data}
host=${NAVIS_HOST:-127.0.0.1}
port=${NAVIS_PORT:-8000}
token_file="$NAVIS_DATA_DIR/demo-patient-token"

if [ ! -s "$token_file" ]; then
    mkdir -p "$NAVIS_DATA_DIR"
    umask 077
    .venv/bin/navis admin create-patient "demo patient" 2>/dev/null | sed -n 's/^token: //p' > "$token_file"
fi

cat <<TXT
Navis Records is starting at http://$host:$port/
  - patients: open that page, sign in with the demo token in $token_file, upload reports from samples/
  - API documentation: http://$host:$port/docs   health: http://$host:$port/healthz
  - more logins: .venv/bin/navis admin create-patient|create-clinic|create-operator NAME
Stop it with Ctrl-C.
TXT
exec .venv/bin/navis serve --host "$host" --port "$port"
