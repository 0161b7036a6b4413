"""Issue 19 item 18: the Scrapy versions drmcrawl declares are the ones it is tested on.

The declared range has an upper bound, and the Scrapy the suite runs on is inside it: a
release past the bound cannot slip into an install unnoticed, and raising the bound means
running this suite (CI) on the new release first."""

from __future__ import annotations

from importlib.metadata import requires, version

from packaging.requirements import Requirement


def declared_scrapy() -> Requirement:
    found = [Requirement(r) for r in requires("drmcrawl") or [] if Requirement(r).name.lower() == "scrapy"]
    assert len(found) == 1, found
    return found[0]


def test_the_declared_scrapy_range_is_capped():
    specifier = declared_scrapy().specifier
    assert any(spec.operator in ("<", "<=", "~=", "==") for spec in specifier), (
        f"scrapy{specifier} has no upper bound: an untested Scrapy release would be installed")


def test_the_installed_scrapy_is_inside_the_declared_range():
    installed = version("scrapy")
    specifier = declared_scrapy().specifier
    assert specifier.contains(installed, prereleases=True), f"Scrapy {installed} is outside scrapy{specifier}"


NOT_STARTING = """
import sys
from drmcrawl.crawl.runner import run_crawl

# A component Scrapy cannot build (as when a Scrapy outside the range lacks a signal the
# crawl's extensions connect to): the crawl cannot start.
result = run_crawl(base_url="http://127.0.0.1:9", db=sys.argv[1],
                   settings={"EXTENSIONS": {"drmcrawl.crawl.no_such_module.Extension": 500}})
print(result.status, "|", result.error)
"""


def test_a_crawl_that_cannot_start_says_why(tmp_path):
    """Before: `run None: failed (None)` and nothing else, the cause swallowed."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", NOT_STARTING, str(tmp_path / "a.sqlite")], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    status, error = out.stdout.strip().splitlines()[-1].split(" | ")
    assert status == "failed"
    assert error.startswith("the crawl could not start:") and "no_such_module" in error
