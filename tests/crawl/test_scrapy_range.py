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
