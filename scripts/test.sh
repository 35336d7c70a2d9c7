#!/usr/bin/env bash
# Run the whole test suite. Where a PostgreSQL server answers on 127.0.0.1:5432 (trust
# auth, database "test") and no URL was given, the PostgreSQL variants of the database
# tests run too instead of being skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${LAGESBILD_TEST_POSTGRES_URL:-}" ]; then
    url="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    if .venv/bin/python - "$url" <<'PY' >/dev/null 2>&1
import sys
import sqlalchemy
engine = sqlalchemy.create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
with engine.connect() as connection:
    connection.execute(sqlalchemy.text("select 1"))
PY
    then
        export LAGESBILD_TEST_POSTGRES_URL="$url"
        echo "test.sh: PostgreSQL found, database tests also run on $url" >&2
    fi
fi
exec .venv/bin/python -m pytest "$@"
