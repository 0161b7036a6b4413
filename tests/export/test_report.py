"""`drmcrawl report` on a real crawl of the fixture site, opened in headless Chromium:
the page renders (screenshot pixels: the charts' colours are there), the rendered DOM has
the expected sections and labels, nothing is loaded from the network."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from analysis_support import cli
from conftest import expected_articles
from lxml import html as lxml_html

from drmcrawl.export.report import BAR, FAILED

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--window-size=800,1400")
SECTIONS = ["Articles per month", "Top tags", "Top authors", "Category mix", "Crawl-run health", "Newest articles"]


@pytest.fixture(scope="module")
def db(crawled_archive):
    return str(crawled_archive)


@pytest.fixture(scope="module")
def report(db, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = cli("report", "-o", str(out), "--db", db)
    assert result.stderr == f"report written to {out}\n"
    return out


def chromium(page: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM.exists(), "headless Chromium is needed: apt-get install chromium (.ci/run does)"
    return subprocess.run([str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args,
                           page.as_uri()], capture_output=True, timeout=120, check=True)


def png_pixels(data: bytes) -> np.ndarray:
    """RGB pixels (n x 3) of an 8-bit non-interlaced PNG (what Chromium writes). Rows filtered
    with None/Sub/Up are undone with numpy (uint8 arithmetic wraps mod 256 as PNG wants);
    Average and Paeth depend on the pixel just decoded, so those go byte by byte."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    channels = 3 if color == 2 else 4
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    image = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:].copy()
        if kind == 1:
            line = np.cumsum(line.reshape(width, channels), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:
            line += previous
        elif kind in (3, 4):
            line = np.frombuffer(_unfilter(kind, bytearray(line), bytes(previous), channels), dtype=np.uint8)
        image[y] = previous = line
    return image.reshape(height * width, channels)[:, :3]


def colour_counts(pixels) -> Counter:
    """(r, g, b) -> number of pixels."""
    packed = (pixels[:, 0].astype(np.uint32) << 16) | (pixels[:, 1].astype(np.uint32) << 8) | pixels[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    return Counter({(int(v) >> 16, (int(v) >> 8) & 255, int(v) & 255): int(n) for v, n in zip(values, counts, strict=True)})


def _unfilter(kind: int, line: bytearray, up: bytes, bpp: int) -> bytearray:
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        if kind == 3:
            line[i] = (line[i] + ((left + up[i]) >> 1)) & 255
        else:
            corner = up[i - bpp] if i >= bpp else 0
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner)) & 255
    return line


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"<script|<link|<img|<iframe|\bsrc=|url\(|@import", text, re.IGNORECASE)
    # The only URLs are the newest articles' links: nothing to fetch to view the page.
    urls = re.findall(r"https?://[^\"'<> ]+", text)
    links = re.findall(r'<a href="(https?://[^"]+)">', text)
    assert urls and sorted(urls) == sorted(links)
    assert len(links) == 15 and all(url.startswith("https://digitalrightsmonitor.pk/") for url in links)


def test_report_renders_in_headless_chromium(report, tmp_path):
    shot = tmp_path / "report.png"
    chromium(report, tmp_path, f"--screenshot={shot}")
    pixels = png_pixels(shot.read_bytes())
    assert len(pixels) == 800 * 1400
    colours = colour_counts(pixels)
    assert len(colours) > 100, "blank page"
    assert colours[(255, 255, 255)] < 0.97 * len(pixels)
    # The bars are drawn: thousands of pixels in the chart colour, and the red legend key.
    assert colours[rgb(BAR)] > 3000, colours.most_common(5)
    assert colours[rgb(FAILED)] > 50


def test_rendered_dom_has_every_chart_and_label(report, tmp_path):
    dom = lxml_html.fromstring(chromium(report, tmp_path, "--dump-dom").stdout)
    assert [h.text_content() for h in dom.iter("h2")] == SECTIONS
    svgs = list(dom.iter("svg"))
    assert [svg.get("aria-label") for svg in svgs] == [
        "articles per month", "top tags", "top authors", "articles per category",
        "pages fetched and articles failed per crawl run"]
    labels = {svg.get("aria-label"): [t.text_content() for t in svg.iter("text")] for svg in svgs}
    assert labels["top tags"][:6] == ["Pakistan", "7", "PECA", "5", "PTA", "4"]
    assert labels["top authors"] == ["DRM", "15", "Usman Shahid", "3", "Ramna Saeed", "2", "Talal Raza", "2"]
    assert "News [in-media-news]" in labels["articles per category"]
    assert "#1" in labels["pages fetched and articles failed per crawl run"]
    months = [t for t in labels["articles per month"] if re.fullmatch(r"\d{4}-\d{2}", t)]
    assert months[0] == "2018-11"
    bars = {r.findtext("title") for r in svgs[0].iter("rect")}
    assert "2024-01: 3" in bars and "2025-09: 3" in bars and "2019-01: 0" in bars
    newest = [row.xpath("string(td[2])") for row in dom.xpath("//table[2]/tbody/tr")]
    assert newest[:2] == ["PTA denies role in massive data leak, says 1,372 sites blocked",
                          "Khyber Pakhtunkhwa police crack down on TikTokers for ‘promoting obscenity’"]
    assert len(newest) == 15 and "پی ٹی اے نے وی پی این رجسٹریشن کی آخری تاریخ مقرر کر دی" in newest
    assert dom.xpath("string(//div[@class='card'][1]/b)") == str(len(expected_articles()))


def test_report_refuses_to_overwrite_without_force(db, tmp_path):
    out = tmp_path / "report.html"
    out.write_text("keep me")
    assert cli("report", "-o", str(out), "--db", db, expect=1).stderr == (
        f"Error: {out} exists (use --force to overwrite)\n")
    assert out.read_text() == "keep me"
    cli("report", "-o", str(out), "--force", "--db", db)
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")
