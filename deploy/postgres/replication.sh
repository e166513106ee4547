#!/bin/sh
# Run once by the postgres image on a new data directory: let the replica
# connect for streaming replication with a password.
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
