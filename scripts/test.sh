#!/usr/bin/env bash
# The whole suite. Uses DATABASE_URL (PostgreSQL) and REDIS_URL when they are set.
set -euo pipefail
cd "$(dirname "$0")/.."
export ZHIBAO_ENV=test
export ZHIBAO_VAR_DIR="${ZHIBAO_TEST_VAR_DIR:-$PWD/var/test}"
mkdir -p "$ZHIBAO_VAR_DIR"
exec .venv/bin/python -m pytest -q -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
