# The portal's production image: gunicorn serving Django, the same image runs the
# Celery worker and beat (docker-compose.yml picks the command).

# --- front-end libraries from the npm lock file (not committed, served by the portal) ---
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- the application -------------------------------------------------------------------
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_DEBUG=false \
    PORT=8000
# WeasyPrint needs Pango; Japanese PDFs need the Noto CJK fonts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-noto-cjk fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 portal
WORKDIR /app
COPY requirements/base.lock requirements/base.lock
RUN pip install -r requirements/base.lock
COPY . .
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
# collectstatic needs a key to import settings; it is not the runtime key.
RUN pybabel compile --domain=django --directory=locale \
 && DJANGO_SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v0 \
 && mkdir -p /app/media && chown -R portal:portal /app/media
USER portal
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py", "procurement_portal.wsgi:application"]
