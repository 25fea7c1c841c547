#!/usr/bin/env bash
# Make a local PostgreSQL server ready for the incident tests and print its URL as the last line on stdout.
#
# Idempotent; meant for a fresh Debian machine or CI runner, run as root:
#   export ASSISTANT_TEST_POSTGRES_URL=$(bash scripts/ensure-postgres.sh)
# Installs Debian's `postgresql` with apt-get when it is missing, starts the cluster, and creates a role and a
# database for tests (names below, overridable through the environment). Progress goes to stderr so that
# command substitution captures only the URL.
set -euo pipefail

ROLE=${PG_TEST_ROLE:-assistant_test}
PASSWORD=${PG_TEST_PASSWORD:-assistant_test}
DATABASE=${PG_TEST_DATABASE:-assistant_test}
HOST=${PG_TEST_HOST:-127.0.0.1}

say() { echo "ensure-postgres: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  say "run this as root (it may install packages and start the PostgreSQL service)"
  exit 1
fi

if ! command -v pg_lsclusters >/dev/null 2>&1 || ! dpkg -s postgresql >/dev/null 2>&1; then
  say "installing postgresql with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi

# The newest installed server version; Debian creates a "main" cluster on install, but not in every image.
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
  say "creating cluster $version/main"
  pg_createcluster "$version" main >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
  say "starting cluster $version/main on port $port"
  pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
  pg_isready -q -h "$HOST" -p "$port" && break
  sleep 1
done
pg_isready -q -h "$HOST" -p "$port" || { say "PostgreSQL did not become ready on port $port"; exit 1; }

psql_admin() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  say "creating role $ROLE"
  psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
else
  # Keep the password in step with this script so the printed URL always works.
  psql_admin -c "ALTER ROLE \"$ROLE\" LOGIN PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != "1" ]; then
  say "creating database $DATABASE"
  psql_admin -c "CREATE DATABASE \"$DATABASE\" OWNER \"$ROLE\"" >&2
fi

echo "postgresql+psycopg://$ROLE:$PASSWORD@$HOST:$port/$DATABASE"
