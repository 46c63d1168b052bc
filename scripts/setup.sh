#!/usr/bin/env bash
# All set-up for a fresh machine of this kind: system packages, the virtual environment, Python packages.
# Idempotent and quick when nothing changed (a stamp file remembers the installed pyproject).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v tesseract >/dev/null 2>&1 || need_apt+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null 2>&1 || need_apt+=(poppler-utils)
# Debian's Chromium for the web page's browser tests (playwright drives it; it never downloads a browser).
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${need_apt[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
    .venv/bin/pip install -q --upgrade pip >/dev/null
fi
stamp=.venv/.navis-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setup: installing Python packages into .venv" >&2
    .venv/bin/pip install -q -e '.[dev]'
    echo "$want" > "$stamp"
fi
