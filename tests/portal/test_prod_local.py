"""make prod-local starts what docker-compose.yml starts (benchmarks/prodlocal.py): the same services,
commands and environment, only the compose network's names and volumes translated to this machine.
Nothing is started here."""

import importlib.util
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prodlocal():
    spec = importlib.util.spec_from_file_location("prodlocal", BASE_DIR / "benchmarks" / "prodlocal.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["prodlocal"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture
def plan(prodlocal, tmp_path, monkeypatch):
    for name in ("PROD_LOCAL_PORT", "PROD_LOCAL_WEB_PORT", "POSTGRES_PASSWORD", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    return prodlocal.build_plan(data_dir=tmp_path)


def test_every_compose_service_is_started_and_nothing_else(plan, compose):
    assert set(plan.commands) == set(compose["services"])


def test_the_app_services_run_the_entrypoint_with_the_compose_command(plan, compose):
    for name in ("web", "worker", "beat"):
        entrypoint, *arguments = plan.commands[name]
        assert entrypoint == str(BASE_DIR / "docker" / "entrypoint.sh")
        assert arguments == compose["services"][name]["command"]


def test_the_environment_is_the_compose_files_with_only_hosts_and_volumes_translated(plan, compose):
    environment = compose["services"]["web"]["environment"]
    env_file = dict(
        line.split("=", 1)
        for line in (BASE_DIR / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert set(environment) | set(env_file) <= set(plan.env)
    # the production settings as .env.example sets them
    for name in (
        "DJANGO_ENV",
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "LOG_LEVEL",
        "EMAIL_URL",
    ):
        assert plan.env[name] == env_file[name]
    assert plan.env["TRUSTED_PROXY_COUNT"] == "2"  # ${TRUSTED_PROXY_COUNT:-2}
    assert plan.env["SECRET_KEY"] != "CHANGE-ME" and len(plan.env["SECRET_KEY"]) >= 50
    assert plan.env["DATABASE_URL"] == f"postgres://portal:portal-local@127.0.0.1:{plan.ports.db}/portal"
    assert plan.env["REDIS_URL"] == f"redis://127.0.0.1:{plan.ports.redis}/0"
    assert plan.env["CELERY_BROKER_URL"] == f"redis://127.0.0.1:{plan.ports.redis}/1"
    assert plan.env["MEDIA_ROOT"] == str(plan.data_dir / "media")
    assert plan.env["STATIC_ROOT"] == str(plan.data_dir / "staticfiles")
    assert plan.env["DJANGO_SETTINGS_MODULE"] == "portal.settings"  # the Dockerfile's ENV
    assert plan.env["GUNICORN_CMD_ARGS"] == f"--bind 127.0.0.1:{plan.ports.web}"
    assert not any("CHANGE-ME" in value for value in plan.env.values())


def test_redis_and_postgres_mirror_the_compose_services_on_their_own_ports(plan, compose):
    assert plan.commands["redis"][1:3] == compose["services"]["redis"]["command"][1:]
    assert ["--port", str(plan.ports.redis)] == plan.commands["redis"][5:7]
    assert "/postgresql/15/" in plan.commands["db"][0]  # postgres:15
    assert plan.ports.db != 5432 and plan.ports.redis != 6379  # the machine's own servers stay untouched


def test_nginx_gets_the_compose_proxy_config_with_only_the_addresses_changed(prodlocal, plan):
    config = prodlocal.nginx_config(plan)
    original = (BASE_DIR / "docker" / "nginx.conf").read_text(encoding="utf-8")
    site = original.replace("server web:8000;", f"server 127.0.0.1:{plan.ports.web};").replace(
        "listen 8080;", f"listen 127.0.0.1:{plan.ports.proxy};"
    )
    assert site in config
    assert plan.ports.proxy == 8000  # published as 127.0.0.1:8000:8080
