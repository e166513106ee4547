# syntax=docker/dockerfile:1
# pantry's production image: exactly uv.lock, static files collected at
# build, granian serving, non-root. See docs/operations.md.

FROM python:3.12-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first: this layer stays cached while only the code changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --python /usr/local/bin/python3.12
COPY src ./src
# Settings refuse production without the variables given to collectstatic;
# they exist for that step only.
RUN uv sync --locked --no-dev --python /usr/local/bin/python3.12 \
    && DJANGO_SETTINGS_MODULE=pantry.settings PANTRY_ENV=production \
    SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build PANTRY_VAR_DIR=/app/var \
    DATABASE_URL=postgres://build@build/build \
    /app/.venv/bin/django-admin collectstatic --noinput --verbosity 0

FROM python:3.12-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin pantry \
    && mkdir -p /tmp/pantry-metrics \
    && chown 10001 /tmp/pantry-metrics
WORKDIR /app
COPY --from=build --chown=10001:10001 /app /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PANTRY_ENV=production \
    PANTRY_VAR_DIR=/app/var \
    PROMETHEUS_MULTIPROC_DIR=/tmp/pantry-metrics \
    GRANIAN_WORKERS=2 \
    GRANIAN_BLOCKING_THREADS=4
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"]
ENTRYPOINT ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--no-ws", "pantry.wsgi:application"]
