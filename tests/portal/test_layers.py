"""Every import points down (README "Layers"): the import-linter contract in pyproject.toml, run as part of
the suite, and proof that it fails on an upward import."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.conf import settings
from importlinter.api import read_configuration

ROOT = Path(settings.BASE_DIR)
PYPROJECT = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _contract() -> dict:
    config = read_configuration(str(PYPROJECT))
    (contract,) = [c for c in config["contracts_options"] if c["id"] == "layers"]
    return {"root_packages": config["session_options"]["root_packages"], **contract}


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own console script, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache", "--config", "pyproject.toml"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_points_down():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Every import points down KEPT" in result.stdout
    assert "events uses lotsen's models and services, not its pages KEPT" in result.stdout


def test_every_app_of_the_project_sits_in_a_layer():
    """A new app cannot slip past the contract: each of our apps is a layer and a root package."""
    contract = _contract()
    own_apps = {config.name for config in apps.get_app_configs() if Path(config.path).parent == ROOT}
    assert own_apps == set(contract["layers"]) == set(contract["root_packages"])
    # The kernel at the bottom, the app that wires the others together at the top.
    assert contract["layers"][0] == "home"
    assert contract["layers"][-1] == "portal"
    assert contract["layers"].index("audit") > contract["layers"].index("accounts")


def _copy_of_the_project(tmp_path: Path) -> Path:
    for package in _contract()["root_packages"]:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc", "locale"))
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contract_fails_on_an_import_from_the_kernel_up_into_an_app(tmp_path):
    project = _copy_of_the_project(tmp_path)
    assert _lint(project).returncode == 0
    with (project / "portal" / "dates.py").open("a") as module:
        module.write("\nfrom home import dashboards  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "Every import points down BROKEN" in result.stdout
    assert "portal.dates -> home.dashboards" in result.stdout


def test_the_contract_fails_when_lotsen_imports_events(tmp_path):
    """lotsen sits below events: a Lotse page that reaches for attendances belongs in events or home."""
    project = _copy_of_the_project(tmp_path)
    with (project / "lotsen" / "selectors.py").open("a") as module:
        # a function-level import counts as much as one at the top
        module.write(
            "\n\ndef trainings():\n    from events.models import Attendance\n\n    return Attendance\n"
        )
    result = _lint(project)
    assert result.returncode != 0
    assert "lotsen.selectors -> events.models" in result.stdout


def test_the_contract_fails_when_events_reaches_into_lotsen_pages(tmp_path):
    """events may use lotsen's models and services; a lotsen form or view is not for it to borrow."""
    project = _copy_of_the_project(tmp_path)
    with (project / "events" / "forms.py").open("a") as module:
        module.write("\nfrom lotsen.forms.me import ProfileForm  # noqa\n")
    result = _lint(project)
    assert result.returncode != 0
    assert "events uses lotsen's models and services, not its pages BROKEN" in result.stdout
    assert "Every import points down KEPT" in result.stdout


def test_only_the_composition_root_is_exempt():
    """The ignored imports are the project's entry points (and migrations), nothing an app could hide in."""
    ignored = _contract()["ignore_imports"]
    sources = {rule.split(" -> ")[0] for rule in ignored}
    assert sources == {
        "portal.urls",
        "portal.settings",
        "portal.test_settings",
        "portal.worker_test_settings",
        "portal.celery",
        "portal.wsgi",
        "portal.asgi",
        "*.migrations.**",
    }
