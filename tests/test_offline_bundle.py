"""scripts/offline_bundle.py: the bundle an office carries onto an intranet that does not reach
PyPI. The Linux bundle is installed by its own install.sh with the network cut (``unshare
-n``) and duchu then runs from it; the Windows bundle (no Windows machine here) is resolved by
pip for win_amd64 and each Python version from the bundle alone, and every requirement that
holds on Windows is checked to be in it. Each bundle is built once per session; these tests
skip, saying why, where PyPI cannot be reached."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pip._vendor.packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "offline_bundle.py"
VERSIONS = ("3.11", "3.12", "3.13")


def _pypi_unreachable() -> str | None:
    """Why PyPI cannot be reached from here, or None: pip fetches a small wheel from the
    index it is configured with (no host named here), with a short timeout."""
    with tempfile.TemporaryDirectory() as scratch:
        try:
            probe = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--disable-pip-version-check", "--timeout", "5", "--retries", "0",
                 "-d", scratch, "six"],
                capture_output=True, text=True, timeout=60, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return "pip download of a small package took over 60 s"
    if probe.returncode != 0:
        lines = [line for line in probe.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else f"pip download exited {probe.returncode}"
    return None


_UNREACHABLE = _pypi_unreachable()
pytestmark = pytest.mark.skipif(
    _UNREACHABLE is not None, reason=f"PyPI cannot be reached: {_UNREACHABLE}"
)


def _build(platform: str, target: Path) -> Path:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--platform", platform, "-o", str(target)],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith(f"done: {target} holds ")
    return target


@pytest.fixture(scope="module")
def linux_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("bundle") / "duchu-offline-linux"
    yield _build("manylinux", folder)


@pytest.fixture(scope="module")
def windows_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("bundle") / "duchu-offline-win"
    yield _build("win_amd64", folder)


def _offline(
    command: list[str], env: dict[str, str] | None = None, timeout: float = 60, cwd: str = "/"
) -> subprocess.CompletedProcess[str]:
    """``command`` run in a network namespace of its own: no interface but loopback, down."""
    return subprocess.run(
        ["unshare", "-n", *command], env=env, timeout=timeout, cwd=cwd,
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_linux_bundle_installs_and_runs_with_the_network_cut(linux_bundle: Path) -> None:
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed: the network cannot be cut")
    cut = _offline(["true"])
    if cut.returncode != 0:
        pytest.skip(f"unshare -n cannot cut the network here: {cut.stderr.strip()}")
    # no network inside: pip cannot reach an index even if it tried
    connect = "import socket; socket.create_connection(('1.1.1.1', 443), 3)"
    probe = _offline([sys.executable, "-c", connect])
    assert probe.returncode != 0
    started = time.monotonic()
    install = _offline(
        ["sh", str(linux_bundle / "install.sh")],
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "HOME": str(linux_bundle)},
        timeout=600,
    )
    elapsed = time.monotonic() - started
    assert install.returncode == 0, install.stdout + install.stderr
    print(f"offline install took {elapsed:.1f} s")  # seen with pytest -s
    duchu = linux_bundle / "duchu-env" / "bin" / "duchu"
    records = ROOT / "records"
    status = _offline(
        [str(duchu), "status", "--records", str(records), "--as-of", "2014-04-20"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(linux_bundle)}, timeout=120,
    )  # fmt: skip
    assert status.returncode == 0, status.stdout + status.stderr
    assert "截至 2014年4月20日：15 个单位，2 个滞后" in status.stdout
    assert "市水利局" in status.stdout
    # the duchu installed is the one built from this checkout, not one from elsewhere
    where = _offline(
        [str(linux_bundle / "duchu-env" / "bin" / "python"), "-c",
         "import duchu, pathlib; print(pathlib.Path(duchu.__file__).resolve())"],
        env={"PATH": "/usr/bin:/bin"}, cwd="/",
    )  # fmt: skip
    assert where.stdout.strip().startswith(str((linux_bundle / "duchu-env").resolve()))


def test_linux_bundle_holds_a_wheel_per_python_for_each_compiled_package(
    linux_bundle: Path,
) -> None:
    names = [w.name for w in linux_bundle.glob("*.whl")]
    for version in VERSIONS:
        tag = "cp" + version.replace(".", "")
        assert any(n.startswith("pydantic_core-") and f"-{tag}-" in n for n in names), tag
        assert any(n.startswith("pyyaml-") and f"-{tag}-" in n for n in names), tag
    # a pure-Python wheel, shared by the three, once
    assert len([n for n in names if n.startswith("rich-")]) == 1
    assert len([n for n in names if n.startswith("duchu-")]) == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_windows_bundle_resolves_from_itself_alone(
    windows_bundle: Path, version: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links",
         str(windows_bundle), "--platform", "win_amd64", "--python-version", version,
         "--implementation", "cp", "--abi", "cp" + version.replace(".", ""),
         "--only-binary=:all:", "--target", str(tmp_path / "target"),
         "--disable-pip-version-check", "duchu"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Would install" in result.stdout and "duchu-" in result.stdout


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("version", VERSIONS)
def test_windows_bundle_holds_what_only_windows_requires(
    windows_bundle: Path, version: str
) -> None:
    """pip resolves the markers of a requirement (``colorama; platform_system == "Windows"``)
    on the machine it runs on, so the dry run above cannot see a requirement only Windows
    has: each wheel's requirements are read here and evaluated as on Windows."""
    wheels = list(windows_bundle.glob("*.whl"))
    present = {_normal(w.name.split("-")[0]) for w in wheels}
    environment = {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
        "platform_machine": "AMD64", "python_version": version,
        "python_full_version": f"{version}.0", "implementation_name": "cpython",
        "platform_python_implementation": "CPython", "extra": "",
    }  # fmt: skip
    needed: set[str] = set()
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            text = archive.read(meta).decode("utf-8")
        for line in text.splitlines():
            if line.startswith("Requires-Dist:"):
                requirement = Requirement(line.split(":", 1)[1].strip())
                if requirement.marker is None or requirement.marker.evaluate(environment):
                    needed.add(_normal(requirement.name))
    assert needed - present == set()
    assert "colorama" in present  # typer's, on Windows only: the case this test is for


def test_windows_bundle_has_its_installer_and_a_readme_for_notepad(windows_bundle: Path) -> None:
    bat = (windows_bundle / "install.bat").read_bytes()
    assert b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert b"--no-index" in bat and b'--find-links "%HERE%."' in bat
    assert b"py -3" in bat and b"duchu-env" in bat
    readme = (windows_bundle / "README.txt").read_bytes()
    assert readme.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in readme.replace(b"\r\n", b"")
    text = readme[3:].decode("utf-8")
    assert text.index("离线安装包") < text.index("offline bundle")  # Chinese, then English
    for words in ("U 盘", "install.bat", "duchu status --records", "3.11、3.12、3.13"):
        assert words in text


def test_the_script_fails_in_one_line_when_the_index_cannot_be_reached(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--platform", "manylinux", "-o", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
             "PIP_INDEX_URL": "http://127.0.0.1:9/simple", "PIP_NO_CACHE_DIR": "1"},
    )  # fmt: skip
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("offline_bundle: ")
    assert "Traceback" not in result.stdout + result.stderr
