import sys

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health

#: seconds a client is asked to wait when the database is away (a PostgreSQL restart takes a few)
DATABASE_RETRY_AFTER = 60


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. Touches neither database nor cache, so a Redis or PostgreSQL outage
    never gets the web process restarted (docker-compose.yml's healthcheck uses this)."""
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
@never_cache
def healthz_ready(request):
    """Readiness: database, cache, broker and worker heartbeat, each "ok", "fail" or "off"; nothing else
    (no host names, versions or errors: the page is public). 503 only without the database (portal.health)."""
    result = health.readiness()
    payload = {
        "status": result.status,
        "components": {component.name: component.state for component in result.components},
    }
    response = JsonResponse(payload, status=503 if result.status == health.NOT_READY else 200)
    # portal.health has logged a warning; a probe every few seconds must not add an error each time
    response._has_been_logged = True
    return response


@require_GET
@never_cache
def system_status(request):
    """Programme staff: the components, the queue and the last heartbeat; works while Redis is away."""
    if not request.user.sees_everything:
        raise PermissionDenied
    result, queue = health.readiness(), health.queue_state()
    return render(
        request,
        "portal/status.html",
        {
            "readiness": result,
            "queue": queue,
            "queue_names": health.queue_names(),
            "oldest_seconds": _whole_seconds(queue.oldest_age_seconds),
            "heartbeat_seconds": _whole_seconds(result.heartbeat_age_seconds),
        },
    )


def _whole_seconds(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


def _database_away(exception) -> bool:
    """The connection failed or broke (refused, timed out, terminated by a restart), as opposed to an
    OperationalError of a working database such as SQLite's "no such table", which stays a 500."""
    if not isinstance(exception, OperationalError | InterfaceError):
        return False
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:  # asking a broken connection may raise anything the driver raises
        return True


def server_error(request):
    """handler500: a database that is away (stopped, restarting, refusing connections) gets the branded
    503 page with Retry-After instead of "something went wrong". Rendered without a request context: no
    session, user or context processor may touch the database that just failed."""
    if _database_away(sys.exc_info()[1]):
        body = loader.get_template("503.html").render()
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)


@login_not_required
@require_GET
def robots_txt(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon rather than a 404."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def csrf_failure(request, reason: str = ""):
    """settings.CSRF_FAILURE_VIEW: the form's security token did not fit, almost always because the page was
    open too long (the session ended) or cookies were deleted. Say that and what to do, in the user's language
    instead of Django's developer page; ``reason`` is for developers and stays out of the page."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = request.get_full_path()
    return render(request, "403_csrf.html", {"back": back}, status=403)
