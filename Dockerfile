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

# Exactly uv.lock, without the development group, into /opt/venv.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never PATH=/opt/venv/bin:$PATH
COPY uv-bootstrap.txt pyproject.toml uv.lock ./
RUN pip install --require-hashes -r uv-bootstrap.txt \
    && uv sync --locked --no-dev --python "$(command -v python3)"
COPY . .
RUN DJANGO_ENV=development python manage.py compilemessages --ignore=.venv -v0 \
    && mkdir -p /app/staticfiles /app/media && chown -R portal:portal /app/staticfiles /app/media

USER portal
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
