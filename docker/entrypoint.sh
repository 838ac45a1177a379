#!/bin/sh
# Start the web process (migrate, collectstatic, gunicorn) or the Celery worker.
set -eu

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput -v0
    # Workers, timeout and the access log (no query strings, tokens in paths masked): portal/gunicorn_conf.py.
    exec gunicorn portal.wsgi:application --config python:portal.gunicorn_conf
    ;;
  worker)
    exec celery -A portal worker --loglevel="${LOG_LEVEL:-INFO}" --concurrency="${CELERY_CONCURRENCY:-2}"
    ;;
  beat)
    exec celery -A portal beat --loglevel="${LOG_LEVEL:-INFO}" --schedule=/tmp/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
