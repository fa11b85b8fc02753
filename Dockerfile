# Stage 1: build the CSS and JavaScript (GOV.UK Frontend compiled with the hub's settings).
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./frontend
RUN npm run build

# Stage 2: the Django application, served by gunicorn.
# Debian 13 ("trixie"): its postgresql-client (17) can dump the postgres:16 database, so
# scripts/backup.sh runs inside this image (`docker compose exec web scripts/backup.sh ...`).
FROM python:3.11-slim-trixie
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 1000 hub
COPY pyproject.toml ./
RUN pip install .
COPY . .
COPY --from=assets /app/frontend/dist ./frontend/dist
# collectstatic needs settings to load; this key is used for nothing else.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/private-media && chown -R hub:hub /app/private-media
USER hub
EXPOSE 8000
CMD ["gunicorn", "coprod_hub.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
