"""Installs are locked: uv.lock matches pyproject.toml, and the check notices when they disagree."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
UV = Path(sys.executable).parent / "uv"


def _lock_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own pinned uv on our own files
        [str(UV), "lock", "--check", "--offline", "--directory", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_project(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_the_lock_matches_pyproject(tmp_path):
    result = _lock_check(_copy_project(tmp_path))
    assert result.returncode == 0, result.stderr


def test_a_dependency_added_without_relocking_is_refused(tmp_path):
    folder = _copy_project(tmp_path)
    pyproject = folder / "pyproject.toml"
    text = pyproject.read_text()
    assert '    "gunicorn>=23",\n' in text
    pyproject.write_text(text.replace('    "gunicorn>=23",\n', '    "gunicorn>=23",\n    "six>=1.16",\n'))
    result = _lock_check(folder)
    assert result.returncode != 0


def test_a_changed_range_without_relocking_is_refused(tmp_path):
    folder = _copy_project(tmp_path)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"Django>=5.2,<5.3"', '"Django>=5.1,<5.3"'))
    assert _lock_check(folder).returncode != 0


def test_every_locked_package_is_pinned_with_hashes():
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    packages = [p for p in lock["package"] if "registry" in p.get("source", {})]
    assert len(packages) > 40
    for package in packages:
        files = [package.get("sdist", {}), *package.get("wheels", [])]
        hashes = [f.get("hash", "") for f in files if f]
        assert hashes and all(h.startswith("sha256:") for h in hashes), package["name"]
        assert package["version"], package["name"]
