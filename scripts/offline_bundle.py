"""Writes an offline bundle: a folder holding every wheel duchu needs on one platform for
Python 3.11, 3.12 and 3.13, with install scripts that install from that folder alone, so an
office can carry it (on a USB stick) onto an intranet (机关内网) that does not reach PyPI.

    python scripts/offline_bundle.py --platform win_amd64 -o duchu-offline-win
    python scripts/offline_bundle.py --platform manylinux -o duchu-offline-linux

Run it on a machine that reaches PyPI. It uses only the standard library and pip (the pip of
the Python that runs it): duchu's own wheel is built from this checkout (``pip wheel
--no-deps``; hatchling, the build backend, is fetched by pip), and its dependencies are
downloaded as binary wheels for the platform and each Python version into the one folder,
where a wheel already there (a pure-Python one, shared by every version) is kept once.
One line per step; a step that fails (PyPI out of reach, say) is one line and exit status 1.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from pip._vendor.packaging.requirements import Requirement  # pip's own copy: no other package

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")
# pip takes several --platform values; manylinux2014 (glibc 2.17) covers CentOS 7 and newer,
# and the manylinux_2_x tags let a package that ships only newer wheels still resolve
PLATFORMS = {
    "win_amd64": ("win_amd64",),
    "manylinux": ("manylinux2014_x86_64", "manylinux_2_17_x86_64", "manylinux_2_28_x86_64"),
}
# pip evaluates a requirement's environment marker (``colorama; platform_system ==
# "Windows"``) on the machine it runs on, not the target: the markers' values on each target,
# by which the requirements pip skipped are found and fetched
MARKERS = {
    "win_amd64": {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
                  "platform_machine": "AMD64"},
    "manylinux": {"os_name": "posix", "sys_platform": "linux", "platform_system": "Linux",
                  "platform_machine": "x86_64"},
}  # fmt: skip
# a short network timeout and one retry: an intranet machine fails in seconds, not minutes
_NET = ("--timeout", "15", "--retries", "1", "--disable-pip-version-check")

INSTALL_BAT = r"""@echo off
rem duchu offline install: makes the virtual environment duchu-env beside this file and
rem installs duchu into it from the wheels in this folder alone (no network).
setlocal
set "HERE=%~dp0"
set "ENV=%HERE%duchu-env"
set "PY="
py -3 -c "import sys" >nul 2>&1 && set "PY=py -3"
if not defined PY python -c "import sys" >nul 2>&1 && set "PY=python"
if not defined PY (
  echo Python was not found: install Python 3.11, 3.12 or 3.13 ^(64-bit^), then run this again.
  pause
  exit /b 1
)
set "CHECK=import sys; v = sys.version_info[:2]; b64 = sys.maxsize > 2**32"
%PY% -c "%CHECK%; sys.exit(0 if (3, 11) <= v <= (3, 13) and b64 else 1)"
if errorlevel 1 (
  echo This bundle holds wheels for 64-bit Python 3.11, 3.12 and 3.13 only; found:
  %PY% --version
  pause
  exit /b 1
)
echo Making the virtual environment "%ENV%" ...
%PY% -m venv "%ENV%"
if errorlevel 1 (
  echo Could not make the virtual environment "%ENV%".
  pause
  exit /b 1
)
echo Installing duchu from "%HERE%" ^(no network^) ...
"%ENV%\Scripts\python.exe" -m pip install --disable-pip-version-check --no-index ^
    --find-links "%HERE%." duchu
if errorlevel 1 (
  echo The installation failed; see the messages above.
  pause
  exit /b 1
)
echo.
echo duchu is installed. Run it like this:
echo   "%ENV%\Scripts\duchu.exe" status --records D:\records
echo or first activate the environment:
echo   "%ENV%\Scripts\activate.bat"
echo   duchu status --records D:\records
pause
"""

INSTALL_SH = """#!/bin/sh
# duchu offline install: makes the virtual environment duchu-env beside this file and
# installs duchu into it from the wheels in this folder alone (no network).
# PYTHON=/path/to/python3.12 sh install.sh picks another Python.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
if ! command -v "$py" >/dev/null 2>&1; then
  echo "$py not found: install Python 3.11, 3.12 or 3.13 first" >&2
  exit 1
fi
if ! "$py" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] <= (3, 13) else 1)'; then
  echo "this bundle holds wheels for Python 3.11, 3.12 and 3.13 only;" \
      "$py is $("$py" --version 2>&1)" >&2
  exit 1
fi
env="$here/duchu-env"
echo "making the virtual environment $env"
if ! "$py" -m venv "$env"; then
  echo "could not make $env (on Debian or Ubuntu: apt install python3-venv)" >&2
  exit 1
fi
echo "installing duchu from $here (no network)"
PIP_DISABLE_PIP_VERSION_CHECK=1 "$env/bin/python" -m pip install -q --no-index \\
    --find-links "$here" duchu
echo
echo "duchu is installed. Run it like this:"
echo "  $env/bin/duchu status --records /path/to/records"
echo "or first: . $env/bin/activate"
"""

README_ZH = """duchu 离线安装包（{title_zh}）
================================

这是什么
--------
本文件夹是 duchu（督导记录、进度、测评汇总和总结报告工具）的离线安装包，
内含 duchu 及其全部依赖的安装文件（.whl），供不能连接互联网的机关内网电脑安装使用。
适用平台：{platform_zh}；适用 Python 版本：3.11、3.12、3.13（64 位）。
duchu 版本：{version}

怎样带进内网
------------
把整个文件夹原样拷贝到 U 盘，再从 U 盘拷贝到内网电脑的某个目录（例如 {folder}），
不要删改其中的任何文件。内网电脑上须已安装 Python 3.11、3.12 或 3.13（64 位）。

怎样安装
--------
{install_zh}
安装程序在本文件夹内建立虚拟环境 duchu-env，只从本文件夹安装，不访问网络。

怎样使用
--------
{run_zh}

怎样确认安装成功
----------------
运行 duchu --version 能显示版本号，运行上面的 status 命令能列出各单位的进度，即为安装成功。
若安装时提示找不到 Python 或版本不符，请先安装 Python 3.11、3.12 或 3.13（64 位）再运行。

----------------------------------------------------------------

duchu offline bundle ({platform_en})

What it is: every wheel duchu {version} and its dependencies need on {platform_en}, for
Python 3.11, 3.12 and 3.13 (64-bit), for a PC on an intranet that cannot reach PyPI.

Carrying it: copy the whole folder onto a USB stick and from it onto the intranet PC
(for example {folder}); change nothing in it. The PC needs Python 3.11, 3.12 or
3.13 (64-bit) installed.

Installing: {install_en}
The installer makes the virtual environment duchu-env in this folder and installs from
this folder alone, without the network.

Running: {run_en}

Checking it worked: duchu --version prints the version, and the status command above lists
the units and their progress.
"""

_TEXTS = {
    "win_amd64": {
        "folder": "D:\\duchu-offline",
        "title_zh": "Windows 64 位",
        "platform_zh": "Windows 64 位（x86_64）",
        "platform_en": "Windows, 64-bit",
        "install_zh": "双击本文件夹中的 install.bat，等待窗口中出现“duchu is installed”。",
        "install_en": "double-click install.bat and wait for 'duchu is installed'.",
        "run_zh": (
            "在命令提示符（cmd）中运行，例如记录库在 D:\\records：\r\n"
            "  D:\\duchu-offline\\duchu-env\\Scripts\\duchu.exe status --records D:\\records\r\n"
            "或先运行 D:\\duchu-offline\\duchu-env\\Scripts\\activate.bat，再运行\r\n"
            "  duchu status --records D:\\records"
        ),
        "run_en": (
            "in cmd, D:\\duchu-offline\\duchu-env\\Scripts\\duchu.exe status --records"
            " D:\\records (or run duchu-env\\Scripts\\activate.bat first, then duchu status"
            " --records D:\\records)."
        ),
    },
    "manylinux": {
        "folder": "~/duchu-offline",
        "title_zh": "Linux x86_64",
        "platform_zh": (
            "Linux x86_64（glibc 2.17 及以上，如 x86 版的麒麟、统信 UOS，CentOS 7 及更新版本；"
            "不适用于 ARM（飞腾、鲲鹏）和龙芯电脑）"
        ),
        "platform_en": "Linux x86_64, glibc 2.17 or newer",
        "install_zh": (
            "在终端中运行：sh install.sh\r\n"
            "（如需指定 Python：PYTHON=python3.12 sh install.sh；"
            "Debian/Ubuntu 上如提示无法建立虚拟环境，需先安装 python3-venv。）"
        ),
        "install_en": "in a terminal, sh install.sh (PYTHON=python3.12 sh install.sh for another).",
        "run_zh": (
            "在终端中运行，例如记录库在 ~/records：\r\n"
            "  ./duchu-env/bin/duchu status --records ~/records\r\n"
            "或先运行 . duchu-env/bin/activate，再运行 duchu status --records ~/records"
        ),
        "run_en": (
            "./duchu-env/bin/duchu status --records ~/records (or . duchu-env/bin/activate"
            " first, then duchu status --records ~/records)."
        ),
    },
}


class StepFailed(Exception):
    """A step's command failed; the message is its one line."""


def _run(step: str, command: list[str]) -> None:
    print(step, flush=True)
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line.strip() for line in (result.stderr + result.stdout).splitlines()]
        errors = [line for line in lines if line.startswith("ERROR")] or [x for x in lines if x]
        cause = errors[-1] if errors else f"exit status {result.returncode}"
        raise StepFailed(f"{step.rstrip('.')} failed (PyPI reachable?): {cause}")


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def missing(folder: Path, platform: str, version: str) -> list[str]:
    """The requirements of the wheels in ``folder`` that hold on ``platform`` under Python
    ``version`` and that no wheel in ``folder`` provides (by name)."""
    wheels = sorted(folder.glob("*.whl"))
    present = {_name(w.name.split("-")[0]) for w in wheels}
    environment = {
        **MARKERS[platform], "python_version": version, "python_full_version": f"{version}.0",
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "extra": "",
    }  # fmt: skip
    wanted: list[str] = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            lines = archive.read(meta).decode("utf-8", "replace").splitlines()
        for line in lines:
            if not line.startswith("Requires-Dist:"):
                continue
            requirement = Requirement(line.split(":", 1)[1].strip())
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            if _name(requirement.name) not in present:
                wanted.append(str(requirement).split(";")[0].strip())
    return sorted(set(wanted))


def _version() -> str:
    for line in (ROOT / "duchu" / "__init__.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("__version__"):
            return line.split("=", 1)[1].strip().strip("\"'")
    return "?"


def _readme(platform: str) -> bytes:
    text = README_ZH.format(version=_version(), **_TEXTS[platform])
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return "\ufeff".encode() + crlf.encode("utf-8")


def build(platform: str, out: Path) -> None:
    """Fills ``out`` with the bundle for ``platform`` (a key of PLATFORMS)."""
    out.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip"]
    with tempfile.TemporaryDirectory() as scratch:
        _run(
            f"building duchu's wheel from {ROOT}",
            [*pip, "wheel", "-q", *_NET, "--no-deps", "-w", scratch, str(ROOT)],
        )
        wheel = next(Path(scratch).glob("duchu-*.whl"))
        platforms = [arg for tag in PLATFORMS[platform] for arg in ("--platform", tag)]
        for version in PYTHONS:
            abi = "cp" + version.replace(".", "")
            _run(
                f"downloading the wheels for Python {version} on {platform}",
                [*pip, "download", "-q", *_NET, "--only-binary=:all:", *platforms,
                 "--python-version", version, "--implementation", "cp", "--abi", abi,
                 "-d", str(out), str(wheel)],
            )  # fmt: skip
            fetched: list[str] = []
            while wanted := missing(out, platform, version):
                if wanted == fetched:  # pip fetched them and they are still missing
                    raise StepFailed(f"no wheel for {', '.join(wanted)} on {platform}")
                fetched = wanted
                _run(
                    f"downloading {', '.join(wanted)} ({platform} needs it) for Python {version}",
                    [*pip, "download", "-q", *_NET, "--only-binary=:all:", *platforms,
                     "--python-version", version, "--implementation", "cp", "--abi", abi,
                     "-d", str(out), *wanted],
                )  # fmt: skip
    print("writing install.bat, install.sh and README.txt", flush=True)
    (out / "install.bat").write_bytes(INSTALL_BAT.replace("\n", "\r\n").encode("ascii"))
    (out / "install.sh").write_bytes(INSTALL_SH.encode("ascii"))
    (out / "install.sh").chmod(0o755)
    (out / "README.txt").write_bytes(_readme(platform))
    wheels = sorted(out.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels) / 1e6
    print(f"done: {out} holds {len(wheels)} wheels, {size:.1f} MB", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--platform", required=True, choices=sorted(PLATFORMS))
    parser.add_argument("-o", "--output", required=True, type=Path, help="the bundle folder")
    args = parser.parse_args(argv)
    try:
        build(args.platform, args.output)
    except StepFailed as failure:
        print(f"offline_bundle: {failure}", file=sys.stderr)
        return 1
    except OSError as failure:
        print(f"offline_bundle: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
