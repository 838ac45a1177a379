# Lotsenportal: one image for the web process (gunicorn) and the Celery worker.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=portal.settings

# gettext for compilemessages; pango/harfbuzz for WeasyPrint (certificates as PDF).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
       fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

COPY pyproject.toml ./
COPY . .
RUN pip install --upgrade pip && pip install . \
    && DJANGO_ENV=development python manage.py compilemessages --ignore=.venv -v0 \
    && mkdir -p /app/staticfiles /app/media && chown -R portal:portal /app/staticfiles /app/media

USER portal
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
