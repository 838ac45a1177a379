"""Cheap structural checks of the deployment files (Docker is not available where the suite runs)."""

from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_declares_proxy_web_worker_beat_postgres_and_redis_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == {"proxy", "web", "worker", "beat", "db", "redis"}
    for name, service in services.items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["web"]["command"] == ["web"]
    assert services["worker"]["command"] == ["worker"]
    # periodic tasks (leavers lose their login) need exactly one scheduler, started by the entrypoint
    assert services["beat"]["command"] == ["beat"]
    assert "beat)" in (BASE_DIR / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_compose_keeps_data_in_named_volumes(compose):
    assert {"db-data", "media"} <= set(compose["volumes"])
    assert "db-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    assert any(volume.startswith("media:") for volume in compose["services"]["web"]["volumes"])


def test_only_the_proxy_is_published_and_it_limits_the_body_size_like_django(compose):
    import re

    from django.conf import settings

    services = compose["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert all(port.startswith("127.0.0.1:") for port in services["proxy"]["ports"])
    mounted = [volume.split(":")[0] for volume in services["proxy"]["volumes"]]
    assert "./docker/nginx.conf" in mounted
    config = (BASE_DIR / "docker" / "nginx.conf").read_text(encoding="utf-8")
    limit = re.search(r"^\s*client_max_body_size (\d+)m;", config, re.M)
    assert limit, "docker/nginx.conf sets no client_max_body_size"
    assert int(limit.group(1)) * 1024 * 1024 == settings.MAX_REQUEST_BYTES
    assert "proxy_pass http://portal_web;" in config and "server web:8000;" in config


def test_entrypoint_migrates_collects_static_and_starts_gunicorn_or_celery():
    script = (BASE_DIR / "docker" / "entrypoint.sh").read_text(encoding="utf-8")
    assert "migrate --noinput" in script
    assert "collectstatic --noinput" in script
    assert "gunicorn portal.wsgi" in script
    assert "celery -A portal worker" in script


def test_env_example_names_only_placeholders_and_every_required_variable():
    lines = (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert {"DJANGO_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= set(values)
    assert values["SECRET_KEY"] == "CHANGE-ME"
    assert values["DEBUG"] == "0"


def test_the_readme_documents_every_environment_variable_of_the_settings():
    import re

    settings_source = (BASE_DIR / "portal" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:\.\w+|_bool)\(\s*"([A-Z_]+)"', settings_source))
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "DEBUG"} <= names
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README.md configuration table lacks: {missing}"


def test_the_readme_lists_the_demo_logins():
    from home.demo import DEMO_LOGINS, DEMO_PASSWORD

    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert DEMO_PASSWORD in readme
    for email, _name, _role in DEMO_LOGINS:
        assert f"`{email}`" in readme


def test_compose_trusts_exactly_the_two_proxies_in_front(compose):
    """The operator's TLS proxy and the bundled nginx both append to X-Forwarded-For: with 1, every client
    would be counted as the TLS proxy and all users would share one rate limit."""
    environment = compose["services"]["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-2}"
    nginx = (BASE_DIR / "docker" / "nginx.conf").read_text(encoding="utf-8")
    assert "$proxy_add_x_forwarded_for" in nginx  # nginx appends: it is one of the two
