"""Start-up checks for production settings."""

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 5


def validate_production_secret_key(secret_key: str) -> None:
    """Refuse to start production with a missing, default or guessable SECRET_KEY.

    Mirrors the rule of Django's deploy check (security.W009) but fails hard at start instead of warning.
    """
    if not secret_key:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    if (
        len(secret_key) < MIN_SECRET_KEY_LENGTH
        or len(set(secret_key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS
        or secret_key.startswith("django-insecure")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: use at least {MIN_SECRET_KEY_LENGTH} random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
