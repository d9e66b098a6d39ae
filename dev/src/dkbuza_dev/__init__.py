"""Development tooling of the DKBUZA monorepo: embedded PostgreSQL, the `dkbuza` command, the
test harness. Never installed in images (they install only runtime packages)."""
