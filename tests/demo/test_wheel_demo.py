"""Issue 19 item 4: `drmcrawl demo` and `drmcrawl serve` work from an installed package (a
wheel, not the repo): the DRM mirror ships inside it as package data.

The wheel is built from a copy of the sources (no build/ or egg-info left in the repo),
offline (`--no-build-isolation`: the test environment's setuptools builds it), and
installed with `--no-deps` into a fresh virtual environment that reads its dependencies
from the test environment's site-packages through a .pth file (nothing is downloaded).
A .pth line adds a folder to sys.path without reading the .pth files in it, so the
editable install of the repo stays invisible there: the test checks that `drmcrawl` is
imported from the new environment."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import expected_articles

REPO = Path(__file__).resolve().parents[2]


def run(args: list, cwd: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env=env)
    assert result.returncode == 0, f"{args}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with drmcrawl installed from a freshly built wheel; its bin/."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "drmcrawl", source / "drmcrawl",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", work / "dist", source], cwd=work, timeout=180)
    (wheel,) = (work / "dist").glob("drmcrawl-*.whl")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=work)
    python = venv / "bin" / "python"
    site = Path(run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work).stdout.strip())
    (site / "_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel],
        cwd=work, timeout=180)
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """A working directory outside the repo, with no tests/fixtures or drmcrawl/ beside it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("DRMCRAWL_DB", "PYTHONPATH")}


def test_the_installed_package_is_the_wheels(installed, elsewhere):
    where = run([installed / "python", "-c", "import drmcrawl; print(drmcrawl.__file__)"], cwd=elsewhere).stdout
    assert Path(where.strip()).is_relative_to(installed.parent), where
    assert not Path(where.strip()).is_relative_to(REPO), where


def test_demo_runs_from_the_installed_package(installed, elsewhere):
    result = run([installed / "drmcrawl", "demo", "--db", "demo.sqlite", "-o", "demo.csv"], cwd=elsewhere,
                 timeout=150, env=clean_env())
    articles = len(expected_articles())
    assert f"articles new {articles}," in result.stdout
    assert f"export: {articles} articles -> demo.csv" in result.stdout
    with open(elsewhere / "demo.csv", newline="", encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == articles


def test_serve_serves_the_bundled_site_from_the_installed_package(installed, elsewhere):
    proc = subprocess.Popen([installed / "drmcrawl", "serve", "--port", "0"], cwd=elsewhere, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**clean_env(), "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()  # "Serving <root> at http://127.0.0.1:PORT (Ctrl-C to stop)"
        assert " at http://127.0.0.1:" in line, line + proc.stderr.read() if proc.poll() is not None else line
        root, url = line.split("Serving ", 1)[1].split(" at ")
        assert Path(root).is_relative_to(installed.parent), root
        url = url.split()[0]
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"{url}/sitemap_index.xml", timeout=5) as answer:
                    assert answer.status == 200 and b"sitemap" in answer.read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with urllib.request.urlopen(f"{url}/tiktok-unveils-measures-to-protect-election-integrity/", timeout=5) as page:
            assert page.status == 200 and b"TikTok" in page.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
