"""Trust in extraction (issue 19): a page with a node over lxml's size limit keeps its
article (item 12); the featured image is the full-size original, never a WordPress size
variant nor the lazy placeholder (item 1)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import sqlite3

import pytest
from conftest import FIXTURES, SITE, expected_articles, run_cli
from lxml import html as lxml_html

from drmcrawl.crawl.workers import Extractor, extract_response
from drmcrawl.extract import extract
from drmcrawl.sites.jnews import listing_links as archive_links

# -- item 12: a text node over lxml's 10 MB limit ---------------------------------------------
SLUG = "fia-told-to-stop-misuse-of-cybercrimes-law"
WANT = expected_articles()[SLUG]
BIG = 12 * 1024 * 1024
# A theme's or plugin's data blob printed inline (page builders, analytics, embedded
# datasets): one text node of 12 MB, over libxml2's 10,000,000-byte limit.
BLOB = '<script type="text/javascript">var jnews_huge_data = "' + "x" * BIG + '";</script>'
WHERE = {
    "head": ("<head>", "<head>" + BLOB),  # every byte of the page comes after it
    "body": ('class="content-inner ">', 'class="content-inner ">' + BLOB),  # inside the article body
    "json": ("<head>", '<head><script type="application/json" id="__data">{"d": "' + "y" * BIG + '"}</script>'),
}


def huge_page(where: str) -> str:
    html = (SITE / SLUG / "index.html").read_text(encoding="utf-8")
    marker, replacement = WHERE[where]
    assert html.count(marker) == 1
    return html.replace(marker, replacement)


def assert_is_the_article(record: dict) -> None:
    for field in ("title", "body", "post_id", "authors", "published", "tags", "categories", "image_url"):
        assert record[field] == WANT[field], field


@pytest.mark.parametrize("where", sorted(WHERE))
def test_a_page_with_a_node_over_lxmls_limit_is_still_its_article(where):
    record = extract(huge_page(where), WANT["url"]).to_record()
    assert_is_the_article(record)
    assert "jnews_huge_data" not in record["body_html"] and "xxxx" not in record["body"]


def test_the_generic_path_keeps_a_page_with_a_huge_node_too():
    html = ("<html><head><title>A story</title><script>var blob = '" + "z" * BIG + "';</script></head><body>"
            "<article><h1>A story worth keeping</h1>" + "<p>The body of the story goes on with enough words, "
            "commas, and sentences to be read as an article by the generic layers.</p>" * 6 + "</article></body></html>")
    article = extract(html, "https://example.org/news/a-story")
    assert article.title == "A story worth keeping"
    assert article.body.startswith("The body of the story goes on")


def test_extract_cli_keeps_a_page_with_a_huge_inline_script(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(huge_page("head"), encoding="utf-8")
    result = run_cli("extract", str(page), "--url", WANT["url"])
    assert result.returncode == 0, result.stderr[-2000:]
    assert_is_the_article(json.loads(result.stdout))


def test_the_crawls_extraction_worker_keeps_a_page_with_a_huge_inline_script():
    page = (huge_page("head").encode("utf-8"), "text/html; charset=UTF-8", "http://127.0.0.1:1/" + SLUG, "drm")
    assert_is_the_article(extract_response(*page).to_record())
    extractor = Extractor(1)  # the worker process a crawl hands its pages to
    try:
        pooled = asyncio.run(extractor.extract(*page))
    finally:
        extractor.close()
    assert pooled.title == WANT["title"] and pooled.body == WANT["body"]


def test_archive_links_are_read_past_a_huge_inline_script():
    html = (SITE / "category" / "drm-exclusive" / "index.html").read_text(encoding="utf-8")
    url = "https://digitalrightsmonitor.pk/category/drm-exclusive/"
    want = archive_links(html, url)
    assert want.articles
    assert archive_links(html.replace("<head>", "<head>" + BLOB, 1), url) == want


def test_a_crawl_stores_an_article_with_a_huge_inline_script(tmp_path):
    from drmcrawl.demo.server import FixtureServer

    root = tmp_path / "mirror"
    shutil.copytree(SITE, root)
    (root / SLUG / "index.html").write_text(huge_page("head"), encoding="utf-8")
    db = tmp_path / "huge.sqlite"
    with FixtureServer(root) as server:
        result = run_cli("crawl", "--base-url", server.url, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    con = sqlite3.connect(db)
    assert con.execute("select count(*) from failures").fetchone()[0] == 0
    title, = con.execute("select title from articles where post_id = ?", (WANT["post_id"],)).fetchone()
    assert title == WANT["title"]
    assert con.execute("select count(*) from articles").fetchone()[0] == len(expected_articles())


# -- item 1: the featured image at full size ------------------------------------------------------
VARIANT_SITE = FIXTURES / "variant_site"
UPLOADS = "https://digitalrightsmonitor.pk/wp-content/uploads"
SIZE_VARIANT = re.compile(r"-\d+x\d+\.\w+$")
PLACEHOLDER = re.compile(r"^data:|jeg-empty\.png$")


def golden_pages() -> list:
    return list(_golden_pages())


def _golden_pages():
    for site, folder in ((SITE, "expected"), (VARIANT_SITE, "variant_expected")):
        for path in sorted((FIXTURES / folder).glob("*.json")):
            yield pytest.param(site / path.stem / "index.html", json.loads(path.read_text(encoding="utf-8")),
                               id=f"{folder}/{path.stem}")


def featured(html: str) -> tuple[list[str], list[str]]:
    """The `.jeg_featured` link hrefs and the image URLs its <img> shows (src, data-src, srcset)."""
    tree = lxml_html.fromstring(html)
    hrefs = [a.get("href") for a in tree.cssselect(".jeg_featured a[href]")]
    shown = []
    for img in tree.cssselect(".jeg_featured img"):
        shown += [img.get(a) for a in ("src", "data-src") if img.get(a)]
        shown += [item.split()[0] for a in ("srcset", "data-srcset") for item in (img.get(a) or "").split(", ") if item]
    return hrefs, shown


@pytest.mark.parametrize("page, want", golden_pages())
def test_every_golden_image_is_the_full_size_original(page, want):
    """Checked against each page by hand (see the report): every expected image_url is the
    original upload (the .jeg_featured link, og:image, the JSON-LD ImageObject), never a
    size WordPress made nor the lazy placeholder; and extraction gives it."""
    html = page.read_text(encoding="utf-8")
    hrefs, _ = featured(html)
    expected = want["image_url"]
    got = extract(html, want["url"]).image_url
    assert got == expected
    if expected is None:
        return
    assert not SIZE_VARIANT.search(expected) and not PLACEHOLDER.search(expected)
    doc_meta = re.findall(r'<meta property="og:image" content="([^"]+)"', html)
    assert all(u == expected for u in hrefs + doc_meta)


def test_the_fixtures_show_resized_copies_as_the_live_site_does():
    """Pages whose featured <img> shows only WordPress sizes of the original (the trap)."""
    resized = []
    for page, want in (p.values for p in golden_pages()):
        _, shown = featured(page.read_text(encoding="utf-8"))
        real = [u for u in shown if not PLACEHOLDER.search(u)]
        if want["image_url"] and real and all(SIZE_VARIANT.search(u) for u in real):
            resized.append(page.parent.name)
    assert len(resized) >= 8, resized


def _without_link(html: str, original: str) -> str:
    """The page as JNews prints it with its featured-image popup option off: no link."""
    assert html.count(f'<a href="{original}">') == 1
    return html.replace(f'<a href="{original}">', "<a>")


TIKTOK = "tiktok-unveils-measures-to-protect-election-integrity"
HARASSMENT = "women-journalists-face-rising-online-harassment-parliamentary-panel-told"  # no Yoast head at all


def test_without_the_link_the_declared_original_is_taken_not_the_resized_copy():
    want = expected_articles()[TIKTOK]
    html = _without_link((SITE / TIKTOK / "index.html").read_text(encoding="utf-8"), want["image_url"])
    assert extract(html, want["url"]).image_url == want["image_url"] == f"{UPLOADS}/2023/03/TikTok-sued.jpg"


def test_a_declared_scaled_original_is_taken_for_its_sizes():
    """WordPress >= 5.3 keeps a large upload as `name-scaled.jpg`; its sizes are `name-WxH.jpg`."""
    want = expected_articles()[TIKTOK]
    scaled = want["image_url"].replace(".jpg", "-scaled.jpg")
    html = _without_link((SITE / TIKTOK / "index.html").read_text(encoding="utf-8"), want["image_url"])
    html = html.replace(f'"{want["image_url"]}"', f'"{scaled}"')  # og:image, JSON-LD url/contentUrl/thumbnailUrl
    assert extract(html, want["url"]).image_url == scaled


def test_with_only_a_size_on_the_page_its_upload_is_taken():
    """No link, no og:image, no JSON-LD: the original is the size's file name without `-WxH`."""
    want = expected_articles()[HARASSMENT]
    html = _without_link((SITE / HARASSMENT / "index.html").read_text(encoding="utf-8"), want["image_url"])
    assert "og:image" not in html and "#primaryimage" not in html
    assert extract(html, want["url"]).image_url == f"{UPLOADS}/2023/03/online-harassment.jpg"


def test_only_a_srcset_behind_the_placeholder_still_gives_the_original():
    """A lazy image whose data-src is missing: the placeholder in src is never taken."""
    want = expected_articles()[HARASSMENT]
    html = _without_link((SITE / HARASSMENT / "index.html").read_text(encoding="utf-8"), want["image_url"])
    html = html.replace(' data-src="', ' data-x="', 1)
    assert extract(html, want["url"]).image_url == f"{UPLOADS}/2023/03/online-harassment.jpg"


def test_the_placeholder_alone_is_no_image():
    want = expected_articles()[HARASSMENT]
    html = _without_link((SITE / HARASSMENT / "index.html").read_text(encoding="utf-8"), want["image_url"])
    html = html.replace(' data-src="', ' data-x="', 1).replace(' data-srcset="', ' data-y="', 1)
    assert extract(html, want["url"]).image_url is None


GENERIC = """<html><head><title>Story</title>{head}</head><body><article><h1>A story</h1>
<p>The first paragraph of the story, long enough, with commas, and words to be read as prose.</p>
<p>The second paragraph of the story goes on, with more commas, more words and a full stop.</p>
<p>The third paragraph ends it, with yet more words, commas, and sentences than the others.</p>
</article></body></html>"""
WP = "https://news.example.org/wp-content/uploads/2024/05"


def jsonld_image(url: str) -> str:
    return ('<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
            f'"headline": "A story", "image": {{"@type": "ImageObject", "url": "{url}"}}}}</script>')


@pytest.mark.parametrize("head, want", [
    # JSON-LD names a size, og:image the original
    (jsonld_image(f"{WP}/protest-1024x576.jpg") + f'<meta property="og:image" content="{WP}/protest.jpg">',
     f"{WP}/protest.jpg"),
    # og:image names a size, twitter:image the original
    (f'<meta property="og:image" content="{WP}/protest-1200x675.jpg">'
     f'<meta name="twitter:image" content="{WP}/protest.jpg">', f"{WP}/protest.jpg"),
    # a list of sizes in JSON-LD, the original in og:image
    ('<script type="application/ld+json">{"@type": "Article", "headline": "A story", "image": ['
     f'"{WP}/protest-1200x1200.jpg", "{WP}/protest-1200x900.jpg"]}}</script>'
     f'<meta property="og:image" content="{WP}/protest.jpg">', f"{WP}/protest.jpg"),
    # the originals declared are of another upload: the size stays (nothing says what it was made of)
    (f'<meta property="og:image" content="{WP}/protest-1200x675.jpg"><meta name="twitter:image" content="{WP}/other.jpg">',
     f"{WP}/protest-1200x675.jpg"),
    # not a WordPress upload: `-1200x630` is the file's own name
    ('<meta property="og:image" content="https://cdn.example.org/cards/story-1200x630.jpg">'
     '<meta name="twitter:image" content="https://cdn.example.org/cards/story.jpg">',
     "https://cdn.example.org/cards/story-1200x630.jpg"),
])
def test_the_generic_layers_take_the_declared_original_over_a_wordpress_size(head, want):
    assert extract(GENERIC.format(head=head), "https://news.example.org/2024/05/a-story/").image_url == want


def test_a_size_named_only_in_the_head_gives_way_to_its_upload_on_a_jnews_page():
    """A video post has no featured <img>: the head is all there is. When it names only a
    WordPress size (Yoast does for an over-large upload), the image is that size's upload."""
    slug = "video-digital-safety-and-privacy-tips-for-journalists"
    want = json.loads((FIXTURES / "variant_expected" / f"{slug}.json").read_text(encoding="utf-8"))
    html = (VARIANT_SITE / slug / "index.html").read_text(encoding="utf-8")
    assert want["image_url"] in html and "<img" not in html.split('class="jeg_featured', 1)[1][:400]
    html = html.replace(want["image_url"], want["image_url"].replace(".jpg", "-1024x576.jpg"))
    assert extract(html, want["url"]).image_url == want["image_url"]
