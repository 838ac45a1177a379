"""``make prod-local``: what ``docker compose up`` starts, on this machine without Docker.

The plan is read from docker-compose.yml (services, commands, environment), .env.example (the env_file, with
local-safe values for its CHANGE-ME placeholders) and the Dockerfile's ENV lines, so it cannot drift from the
compose file (tests/portal/test_prod_local.py compares them). Only what Docker's network gives a container is
translated: the service names ``db``/``redis``/``web`` become loopback ports, the volumes ``/app/media`` and
``/app/staticfiles`` folders under the data directory, and gunicorn binds to loopback (GUNICORN_CMD_ARGS)
instead of the container's 0.0.0.0:8000.

    proxy   nginx -c <data>/nginx/nginx.conf        docker/nginx.conf, upstream web:8000 -> 127.0.0.1:WEB_PORT
    web     docker/entrypoint.sh web                migrate, collectstatic, gunicorn (portal/gunicorn_conf.py)
    worker  docker/entrypoint.sh worker             celery -A portal worker
    beat    docker/entrypoint.sh beat               celery -A portal beat
    db      PostgreSQL 15 (own cluster, port 5433)  the machine's PostgreSQL on 5432 is never touched
    redis   redis-server --appendonly yes (6380)    the machine's Redis on 6379 is never touched

Data (the database cluster, Redis's append-only file, media, static files, logs, the generated SECRET_KEY)
live in PROD_LOCAL_DIR (default /var/tmp/lotsenportal-prod) and are kept between runs.

    python benchmarks/prodlocal.py up      # start everything, wait for Ctrl-C, stop everything
    python benchmarks/prodlocal.py stop    # stop what an earlier `up` left running (by its pid files)
    python benchmarks/prodlocal.py env     # web/worker/beat's environment (eval it for manage.py)
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "Dockerfile"
NGINX_CONF = ROOT / "docker" / "nginx.conf"
PG_BIN = Path(os.environ.get("PROD_LOCAL_PG_BIN", "/usr/lib/postgresql/15/bin"))
#: The services built from the project's image (x-app): started with docker/entrypoint.sh <command>.
APP_SERVICES = ("web", "worker", "beat")
#: Dockerfile ENV lines about the container's filesystem, not the application (here the venv is .venv).
#: Kept between runs (the scale seed takes minutes); not under /tmp, which may be cleaned at boot.
DEFAULT_DIR = "/var/tmp/lotsenportal-prod"  # noqa: S108
IMAGE_ONLY_ENV = {"PATH", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON_DOWNLOADS", "PIP_NO_CACHE_DIR"}


@dataclass(frozen=True)
class Ports:
    proxy: int
    web: int
    db: int
    redis: int


@dataclass
class Plan:
    """Everything prod-local starts: one entry per compose service."""

    data_dir: Path
    ports: Ports
    env: dict[str, str]
    commands: dict[str, list[str]] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.env["ALLOWED_HOSTS"].split(",")[0]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.proxy}"

    @property
    def gunicorn_workers(self) -> int:
        return int(self.env.get("GUNICORN_WORKERS", "3"))

    def manage_env(self, **extra: str) -> dict[str, str]:
        """The app's environment for manage.py commands run by hand (seeding needs DJANGO_ENV=development)."""
        return {**os.environ, **self.env, **extra}


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def dockerfile_env() -> dict[str, str]:
    """The ENV lines of the Dockerfile (KEY=value pairs, continued lines joined)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    values = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for key, value in re.findall(r"(\w+)=(\S+)", line[4:]):
                values[key] = value
    return values


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${VAR:-default} and ${VAR} (from .env and the shell), enough for docker-compose.yml."""

    def replace(match: re.Match) -> str:
        name, default = match.group(1), match.group(3)
        return variables.get(name) or (default if default is not None else "")

    return re.sub(r"\$\{(\w+)(:-([^}]*))?\}", replace, str(value))


def local_secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def build_plan(data_dir: Path | None = None, ports: Ports | None = None) -> Plan:
    spec = compose()
    services = spec["services"]
    published = services["proxy"]["ports"][0].split(":")  # "127.0.0.1:8000:8080"
    data_dir = Path(data_dir or os.environ.get("PROD_LOCAL_DIR", DEFAULT_DIR))
    ports = ports or Ports(
        proxy=int(os.environ.get("PROD_LOCAL_PORT", published[1])),
        web=int(os.environ.get("PROD_LOCAL_WEB_PORT", "8001")),
        db=int(os.environ.get("PROD_LOCAL_DB_PORT", "5433")),
        redis=int(os.environ.get("PROD_LOCAL_REDIS_PORT", "6380")),
    )
    origin = f"https://127.0.0.1:{ports.proxy}"
    # The env_file (.env = .env.example with its placeholders filled in for this machine).
    dotenv = read_env_file(ENV_EXAMPLE)
    dotenv.update(
        SECRET_KEY=local_secret_key(data_dir),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CSRF_TRUSTED_ORIGINS=origin,
        SITE_URL=origin,
        POSTGRES_PASSWORD="portal-local",  # noqa: S106 (a loopback-only cluster of this machine)
    )
    app = services["web"]
    env = {k: v for k, v in dockerfile_env().items() if k not in IMAGE_ONLY_ENV}
    env.update(dotenv)
    # compose's `environment:` overrides the env_file; ${...} come from .env, then the shell.
    variables = {**dotenv, **os.environ}
    translate = {
        "@db:5432/": f"@127.0.0.1:{ports.db}/",
        "redis://redis:6379/": f"redis://127.0.0.1:{ports.redis}/",
        "/app/media": str(data_dir / "media"),
        "/app/staticfiles": str(data_dir / "staticfiles"),
    }
    for key, value in app["environment"].items():
        value = interpolate(value, variables)
        for container, local in translate.items():
            value = value.replace(container, local)
        env[key] = value
    # The container's 0.0.0.0:8000 is its own network namespace; here gunicorn listens on loopback only.
    env["GUNICORN_CMD_ARGS"] = f"--bind 127.0.0.1:{ports.web}"
    # docker/entrypoint.sh calls python, gunicorn and celery from the PATH: the project's venv.
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    commands = {
        name: [str(ROOT / "docker" / "entrypoint.sh"), *services[name]["command"]] for name in APP_SERVICES
    }
    redis_command = list(services["redis"]["command"])
    commands["redis"] = [
        shutil.which(redis_command[0]) or redis_command[0],
        *redis_command[1:],
        *("--bind", "127.0.0.1", "--port", str(ports.redis), "--dir", str(data_dir / "redis")),
        *("--save", "", "--daemonize", "no"),
    ]
    commands["db"] = [str(PG_BIN / "postgres"), "-D", str(data_dir / "pg"), "-p", str(ports.db)]
    commands["proxy"] = [
        shutil.which("nginx") or "/usr/sbin/nginx",
        *("-c", str(data_dir / "nginx" / "nginx.conf"), "-g", "daemon off;"),
    ]
    return Plan(data_dir=data_dir, ports=ports, env=env, commands=commands)


def nginx_config(plan: Plan) -> str:
    """docker/nginx.conf with the compose network's names replaced by this machine's loopback ports."""
    site = NGINX_CONF.read_text(encoding="utf-8")
    site = site.replace("server web:8000;", f"server 127.0.0.1:{plan.ports.web};")
    site = re.sub(r"listen 8080;", f"listen 127.0.0.1:{plan.ports.proxy};", site)
    run = plan.data_dir / "nginx"
    tmp = run / "tmp"
    return f"""# Generated by benchmarks/prodlocal.py from docker/nginx.conf; do not edit.
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp / "body"};
    proxy_temp_path {tmp / "proxy"};
    fastcgi_temp_path {tmp / "fastcgi"};
    uwsgi_temp_path {tmp / "uwsgi"};
    scgi_temp_path {tmp / "scgi"};
{site}
}}
"""


class ProdLocal:
    """Starts and stops the services of the plan; each process's pid is kept in <data>/run/<name>.pid."""

    def __init__(self, plan: Plan | None = None, *, quiet: bool = False):
        self.plan = plan or build_plan()
        self.quiet = quiet
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = self.plan.data_dir / "logs"

    # -- helpers ---------------------------------------------------------------------------------------
    def say(self, text: str) -> None:
        if not self.quiet:
            print(f"prod-local: {text}", file=sys.stderr, flush=True)

    def _pidfile(self, name: str) -> Path:
        return self.plan.data_dir / "run" / f"{name}.pid"

    def _spawn(self, name: str, command: list[str], env: dict | None = None, user: str | None = None):
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the process's life)
        if user:
            command = ["runuser", "-u", user, "--", *command]
        proc = subprocess.Popen(  # noqa: S603 (our own commands)
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        self._pidfile(name).parent.mkdir(parents=True, exist_ok=True)
        self._pidfile(name).write_text(str(proc.pid))
        self.say(f"{name} started (pid {proc.pid}, log {self.logs / (name + '.log')})")
        return proc

    def _wait(self, what: str, check, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.3)
        raise RuntimeError(f"{what} did not come up within {timeout:.0f} s (logs in {self.logs})")

    # -- the backing services ----------------------------------------------------------------------------
    def _init_db(self) -> None:
        pgdata = self.plan.data_dir / "pg"
        if (pgdata / "PG_VERSION").exists():
            return
        self.plan.data_dir.mkdir(parents=True, exist_ok=True)
        pgdata.mkdir(mode=0o700)
        shutil.chown(pgdata, "postgres", "postgres")
        self.say("initdb (first run)")
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "initdb"), "-D", str(pgdata), "-U", "postgres"]
            + ["--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        with open(pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{pgdata}'\n")
        self._pending_role = True

    def _psql(self, sql: str) -> None:
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", str(PG_BIN.parent / "bin" / "psql"), "-q", "-h"]
            + [str(self.plan.data_dir / "pg"), "-p", str(self.plan.ports.db), "-U", "postgres", "-c", sql],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def _db_ready(self) -> bool:
        return (
            subprocess.run(  # noqa: S603
                [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.plan.ports.db)],
                check=False,
            ).returncode
            == 0
        )

    def start_db(self) -> None:
        self._pending_role = False
        self._init_db()
        self._spawn("db", self.plan.commands["db"], user="postgres")
        self._wait("PostgreSQL", self._db_ready)
        if self._pending_role:
            # As the postgres image does from POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB.
            spec = compose()["services"]["db"]["environment"]
            user, name = spec["POSTGRES_USER"], spec["POSTGRES_DB"]
            password = self.plan.env["DATABASE_URL"].split(":")[2].split("@")[0]
            self._psql(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
            self._psql(f"CREATE DATABASE {name} OWNER {user}")

    def _redis_ready(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.plan.ports.redis, socket_timeout=1).ping()
        except redis.RedisError:
            return False

    def start_redis(self) -> None:
        (self.plan.data_dir / "redis").mkdir(parents=True, exist_ok=True)
        self._spawn("redis", self.plan.commands["redis"])
        self._wait("Redis", self._redis_ready)

    def stop_redis(self) -> None:
        self._stop("redis")

    def restart_db(self, down_seconds: float = 0) -> None:
        """A fast shutdown (SIGINT), down_seconds without a database, a start (a PostgreSQL update)."""
        self._stop("db", sig=signal.SIGINT)
        time.sleep(down_seconds)
        self._spawn("db", self.plan.commands["db"], user="postgres")
        self._wait("PostgreSQL", self._db_ready)

    # -- the app and the proxy ---------------------------------------------------------------------------
    def _http_ok(self, port: int, path: str) -> bool:
        request = urllib.request.Request(  # noqa: S310
            f"http://127.0.0.1:{port}{path}", headers={"Host": self.plan.host, "X-Forwarded-Proto": "https"}
        )
        try:
            with urllib.request.urlopen(request, timeout=3) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def start_app(self) -> None:
        for name in ("media", "staticfiles"):
            (self.plan.data_dir / name).mkdir(parents=True, exist_ok=True)
        self._spawn("web", self.plan.commands["web"], env=self.plan.env)
        # the compose healthcheck of web: /healthz/ with the first allowed host and the proxy header
        self._wait("gunicorn (web)", lambda: self._http_ok(self.plan.ports.web, "/healthz/"), timeout=300)
        self._spawn("worker", self.plan.commands["worker"], env=self.plan.env)
        self._spawn("beat", self.plan.commands["beat"], env=self.plan.env)
        self.start_proxy()

    def start_proxy(self) -> None:
        run = self.plan.data_dir / "nginx"
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (run / "tmp" / sub).mkdir(parents=True, exist_ok=True)
            (run / "tmp" / sub).chmod(0o777)  # nginx's workers run as nobody
        (run / "nginx.conf").write_text(nginx_config(self.plan), encoding="utf-8")
        self._spawn("proxy", self.plan.commands["proxy"])
        self._wait("nginx (proxy)", lambda: self._http_ok(self.plan.ports.proxy, "/proxy-health"))

    def up(self, *, app: bool = True) -> None:
        self.start_db()
        self.start_redis()
        if app:
            self.start_app()

    # -- stopping ----------------------------------------------------------------------------------------
    def _stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        proc = self.procs.pop(name, None)
        pidfile = self._pidfile(name)
        pid = proc.pid if proc else (int(pidfile.read_text()) if pidfile.exists() else None)
        if pid is None:
            return
        try:
            os.killpg(
                pid, sig
            )  # the process group of what we started (runuser + postgres, gunicorn + workers)
        except ProcessLookupError:
            pidfile.unlink(missing_ok=True)
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                break
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.2)
        else:
            os.killpg(pid, signal.SIGKILL)
        pidfile.unlink(missing_ok=True)
        self.say(f"{name} stopped")

    def stop(self) -> None:
        # the reverse of the start: proxy and app first, the data last (PostgreSQL: SIGTERM = smart shutdown;
        # SIGINT = fast, which is what we want here)
        for name in ("proxy", "beat", "worker", "web", "redis"):
            self._stop(name)
        self._stop("db", sig=signal.SIGINT)

    def __enter__(self) -> ProdLocal:
        try:
            self.up()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_on_sigterm() -> None:
    """SIGTERM (and Ctrl-C) end the run through `finally`/`__exit__`, which stop everything, once: a second
    signal (e.g. `timeout` passing it on) must not interrupt the stopping."""

    def terminate(*_):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "up"
    local = ProdLocal()
    if command == "env":
        for key, value in sorted(local.plan.env.items()):
            if key not in {"PATH"}:
                print(f"export {key}={shlex.quote(value)}")
        return 0
    if command == "stop":
        local.stop()
        return 0
    if command != "up":
        print(__doc__, file=sys.stderr)
        return 2
    with local:
        local.say(f"up: {local.plan.base_url} (Host 127.0.0.1, X-Forwarded-Proto: https); Ctrl-C stops")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    stop_on_sigterm()
    sys.exit(main(sys.argv))
