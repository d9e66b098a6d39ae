# syntax=docker/dockerfile:1
# One image recipe for every app; the build arguments name the app. The build context is the
# repository root (docker-compose.yml passes the arguments of each app):
#   docker build --build-arg APP_DIR=services/planning --build-arg APP_DIST=dkbuza-planning \
#     --build-arg APP_PACKAGE=planning --build-arg APP_PORT=8001 -t dkbuza/planning .
# One image for every process of the app:
#   app (default CMD)   uvicorn --factory <APP_PACKAGE>.main:create_app
#   worker              python -m <APP_PACKAGE>.worker (apps that have one)
#   migrations          alembic -c <APP_DIR>/alembic.ini upgrade head (apps with a database;
#                       a command of the deployment, not of the image, so an app can go without)
# Configuration comes only from the app's `<PREFIX>_*` environment variables (deploy/README.md).
# Only runtime packages: `--package` installs the app, the kit and their dependencies, never
# the development package dkbuza-dev (embedded PostgreSQL, test harness); tests/deploy checks
# the resolved set.

ARG PYTHON_VERSION=3.11
ARG UV_VERSION=0.13.9

FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv

# ---- build: a virtual environment holding only this app, the kit and their dependencies ----
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ARG APP_DIR
ARG APP_DIST
COPY --from=uv /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=0 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app

# uv reads the whole workspace (every member's pyproject.toml) to use the lock file, but
# `--package` installs only the app's distribution and what it depends on.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY dev/pyproject.toml dev/
COPY gateway/pyproject.toml gateway/
COPY services/planning/pyproject.toml services/planning/
COPY services/disaster-fund/pyproject.toml services/disaster-fund/
COPY services/export-control/pyproject.toml services/export-control/
COPY services/statistics/pyproject.toml services/statistics/
# Third-party dependencies first: this layer is reused until uv.lock changes.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-workspace --package ${APP_DIST}

# Then the sources of the kit and of this app only (installed editable: the app finds its
# alembic.ini and migrations next to its sources, at the same path in the runtime image).
COPY shared/src shared/src
COPY ${APP_DIR} ${APP_DIR}
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package ${APP_DIST}

# ---- runtime ----
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ARG APP_DIST
ARG APP_PACKAGE
ARG APP_PORT
# uvicorn worker processes (uvicorn reads WEB_CONCURRENCY): with two, a CPU-bound export in one
# cannot starve the probes (measured: bench/probe_starvation.py, see deploy/README.md); the
# metrics of all are summed in PROMETHEUS_MULTIPROC_DIR (/tmp, an emptyDir on Kubernetes).
ARG WEB_CONCURRENCY=2
ARG PROMETHEUS_MULTIPROC_DIR=/tmp/dkbuza-metrics
LABEL org.opencontainers.image.title="${APP_DIST}" \
      org.opencontainers.image.description="DKBUZA backend: ${APP_PACKAGE}"
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DKBUZA_DATA_DIR=/var/lib/dkbuza \
    APP_FACTORY=${APP_PACKAGE}.main:create_app \
    APP_PORT=${APP_PORT}
# uvicorn restarts a worker missing its health check: give a slow start (CPU limits) a minute
# instead of 5 s.
ENV WEB_CONCURRENCY=${WEB_CONCURRENCY} \
    UVICORN_TIMEOUT_WORKER_HEALTHCHECK=60 \
    PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR}
# A fixed numeric non-root user, so Kubernetes `runAsNonRoot` can verify it. The code stays
# owned by root (read-only for the app); only the data directory (development keys) is its own.
RUN groupadd --system --gid 10001 dkbuza \
    && useradd --system --uid 10001 --gid dkbuza --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin dkbuza \
    && install -d -o dkbuza -g dkbuza -m 0750 /var/lib/dkbuza
WORKDIR /app
COPY --from=build /app /app
USER 10001:10001

EXPOSE ${APP_PORT}
# Liveness only (the process answers); readiness (/readyz: database and migrations) is for
# the orchestrator. No curl in the image: the standard library does it, bypassing any proxy.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(f'http://127.0.0.1:{os.environ[\"APP_PORT\"]}/livez', timeout=2)"]

# A shell only to read the app's factory and port from the environment; `exec` leaves uvicorn
# as PID 1, so it receives the orchestrator's SIGTERM itself.
CMD ["sh", "-c", "exec uvicorn --factory \"$APP_FACTORY\" --host 0.0.0.0 --port \"$APP_PORT\" --no-access-log --timeout-graceful-shutdown 10 --http dkbuza_kit.server_protocol:BoundedHeadHttpToolsProtocol --no-proxy-headers"]
