"""accounts.backends.PortalBackend: the session's user comes with their Lotse record; sessions of the plain
ModelBackend it replaced stay logged in (migration accounts 0003)."""

import importlib

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

migration = importlib.import_module("accounts.migrations.0003_sessions_use_the_portal_backend")


def test_a_session_from_before_the_portal_backend_stays_logged_in(client, world):
    user = world.lotse_a.user
    session = SessionStore()
    session.update(
        {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
        }
    )
    session.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    # the plain ModelBackend is gone: Django would treat the session as logged out
    assert client.get(reverse("dashboard")).status_code == 302

    migration.forwards(apps, None)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200 and world.lotse_a.first_name in response.content.decode()
    assert SessionStore(session.session_key).load()["_auth_user_backend"] == "accounts.backends.PortalBackend"


def test_the_lotse_record_comes_with_the_user(lotse_client, world, django_assert_num_queries):
    lotse_client.get(reverse("dashboard"))  # warm: the start page's cache
    with django_assert_num_queries(3):  # session, user with Lotse and region, coordinations
        response = lotse_client.get(reverse("dashboard"))
    assert response.context["user"].lotse_profile == world.lotse_a
