#!/bin/sh
# Two roles and one database per app: the database is owned by the role named like it (it runs
# the migrations), the app connects as `<name>_app`, which gets only row grants from the
# migrations (no TRUNCATE, DDL or trigger control); no app can read another's tables. Run by the postgres image on its first start (empty data volume) from
# /docker-entrypoint-initdb.d; the list and the password come from docker-compose.yml:
#   DKBUZA_DATABASES    space-separated database names (the role is named like its database)
#   DKBUZA_DB_PASSWORD  password of these roles
# Written for plain sh and without `set -u`, so it also works when the entrypoint sources it.
if [ -z "${DKBUZA_DATABASES:-}" ] || [ -z "${DKBUZA_DB_PASSWORD:-}" ]; then
    echo "postgres-init: DKBUZA_DATABASES and DKBUZA_DB_PASSWORD are required" >&2
    exit 1
fi
for dkbuza_db in $DKBUZA_DATABASES; do
    echo "postgres-init: database and role $dkbuza_db"
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --set=db="$dkbuza_db" --set=app="${dkbuza_db}_app" --set=password="$DKBUZA_DB_PASSWORD" <<'SQL' || exit 1
CREATE ROLE :"db" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
CREATE ROLE :"app" LOGIN PASSWORD :'password';
GRANT CONNECT ON DATABASE :"db" TO :"app";
SQL
done
