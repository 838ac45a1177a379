#!/bin/sh
# Start the web process (migrate, collectstatic, gunicorn) or the Celery worker.
set -eu

case "${1:-web}" in
  web)
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput -v0
    # The access log leaves out query strings (%(U)s is the path only): list filters and searches are kept in
    # the URL, and a searched name must not end up in a log.
    exec gunicorn portal.wsgi:application \
      --bind 0.0.0.0:8000 \
      --workers "${GUNICORN_WORKERS:-3}" \
      --timeout "${GUNICORN_TIMEOUT:-60}" \
      --access-logfile - \
      --access-logformat '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'
    ;;
  worker)
    exec celery -A portal worker --loglevel="${LOG_LEVEL:-INFO}" --concurrency="${CELERY_CONCURRENCY:-2}"
    ;;
  *)
    exec "$@"
    ;;
esac
