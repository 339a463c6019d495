# Resolve's production image: the web (gunicorn), the Celery worker and beat all run from it,
# with different commands (docker-compose.yml). docs/operations.md describes the processes.

# The stylesheet: GOV.UK Frontend's Sass compiled with the system font stack, as `make assets`.
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
COPY frontend/ frontend/
RUN mkdir -p static/build \
 && npx sass --load-path=node_modules --style=compressed --no-source-map --quiet-deps \
      frontend/resolve.scss static/build/resolve.css

FROM python:3.11-slim-bookworm
# WeasyPrint's libraries (Pango, HarfBuzz) and the pro forma's font (Liberation Sans).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-liberation \
 && rm -rf /var/lib/apt/lists/*
ENV VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
RUN python -m venv /opt/venv \
 && pip install --no-cache-dir uv==0.13.8 \
 && uv pip sync --no-cache requirements.lock
COPY . .
COPY --from=assets /build/node_modules/govuk-frontend/dist/govuk node_modules/govuk-frontend/dist/govuk
COPY --from=assets /build/static/build static/build
RUN python manage.py collectstatic --no-input -v0
RUN useradd --system --home-dir /app resolve \
 && mkdir -p /var/lib/resolve/media /var/lib/resolve/beat \
 && chown -R resolve /var/lib/resolve
USER resolve
ENV WHITENOISE_USE_FINDERS=false RESOLVE_LOG_FORMAT=json MEDIA_ROOT=/var/lib/resolve/media \
    CELERY_BEAT_SCHEDULE_FILENAME=/var/lib/resolve/beat/celerybeat-schedule
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/', timeout=4)"
CMD ["gunicorn", "config.wsgi", "-c", "config/gunicorn.conf.py"]
