"""Links on listing pages of any site: articles, sections, pagination, caps (issue 22)."""

import json
import re
from pathlib import Path

import pytest

from drmcrawl.extract.document import Document
from drmcrawl.sites.listings import listing_links, page_number
from drmcrawl.sites.scope import Scope
from drmcrawl.sites.urlshapes import UrlShapes

S = "http://127.0.0.1:8000"

HOME = f"""<!doctype html><html><head>
<link rel="next" href="{S}/page/2/">
</head><body>
<header class="site-header">
  <a href="/"><img alt="logo"></a>
  <nav class="main-menu"><ul>
    <li><a href="/politics/">Politics</a></li>
    <li><a href="/category/world/">World</a></li>
    <li><a href="{S}/sport/">Sport</a></li>
    <li><a href="#">Menu</a></li>
    <li><a href="javascript:void(0)">More</a></li>
  </ul></nav>
</header>
<main>
  <article class="teaser"><h2><a href="/2024/05/06/budget-passed-today/">Budget passed</a></h2>
    <a href="/2024/05/06/budget-passed-today/#comments">3 comments</a>
    <a href="/author/jane/">Jane</a> <a href="/tag/budget/">budget</a></article>
  <div class="card"><a href="/politics/senate-votes-on-bill/">Senate votes</a></div>
  <article><h3><a href="/politics/short">Short</a></h3></article>
  <div><a href="/news/world-asia-12345678">Asia</a></div>
  <a href="http://127.0.0.1:8001/2024/05/06/other-port-story/">other port</a>
  <a href="http://evil.example/2024/05/06/offsite-story-here/">offsite</a>
  <a href="/\\\\evil.example\\2024\\05\\slug-via-backslash/">backslash</a>
  <a href="/wp-content/uploads/2024/05/photo.jpg">photo</a>
  <a href="/feed/">RSS</a>
  <a class="load-more" href="#">Load more</a>
</main>
<footer><a href="/about-us/">About</a><a href="/privacy-policy/">Privacy</a><a href="/contact/">Contact</a></footer>
</body></html>"""


def test_home_page_links():
    links = listing_links(HOME, f"{S}/")
    assert links.articles == (f"{S}/2024/05/06/budget-passed-today/", f"{S}/politics/senate-votes-on-bill/",
                              f"{S}/politics/short", f"{S}/news/world-asia-12345678")
    assert links.sections == (f"{S}/politics/", f"{S}/category/world/", f"{S}/sport/")
    assert links.pages == (f"{S}/page/2/",)
    assert links.cut["offsite"] == 3  # other port, other host, backslash trick


def test_same_input_as_bytes_or_document():
    assert listing_links(HOME.encode(), f"{S}/") == listing_links(Document(HOME, f"{S}/"), f"{S}/")


def test_declared_scope_is_used():
    scope = Scope(f"{S}/", ["http://127.0.0.1:8001"])
    links = listing_links(HOME, f"{S}/", in_scope=scope.in_scope)
    assert "http://127.0.0.1:8001/2024/05/06/other-port-story/" in links.articles


def test_learned_shapes_decide_articles():
    shapes = UrlShapes()
    shapes.learn_many(f"{S}/2024/05/{d:02d}/story-{d}-words/" for d in range(1, 20))
    links = listing_links(HOME, f"{S}/", shapes=shapes)
    # only the dated shape is an article on this site; an undated link in an <article> teaser still is
    assert links.articles == (f"{S}/2024/05/06/budget-passed-today/", f"{S}/politics/short")


@pytest.mark.parametrize("url, n", [
    (f"{S}/", 1), (f"{S}/page/3/", 3), (f"{S}/category/x/page/12", 12),
    (f"{S}/x/?page=4", 4), (f"{S}/?paged=2", 2), (f"{S}/x/?page=abc", 1),
])
def test_page_number(url, n):
    assert page_number(url) == n


def numbered(base: str, current: int, last: int) -> str:
    items = "".join(f'<a class="page-numbers" href="{base}page/{n}/">{n}</a>' for n in range(1, last + 1))
    return f"<html><body><div class='pagination'>{items}</div></body></html>"


def test_numbered_pagination_of_this_listing_only():
    html = numbered(f"{S}/category/world/", 1, 5) + f'<a href="{S}/category/sport/page/2/">other</a>'
    links = listing_links(html, f"{S}/category/world/")
    assert links.pages == tuple(f"{S}/category/world/page/{n}/" for n in range(2, 6))
    assert f"{S}/category/sport/page/2/" not in links.sections  # another listing's page 2


def test_query_pagination():
    html = '<a href="?page=2">2</a><a href="/news/?page=3&amp;sort=new">3</a><a href="/news/?page=1">1</a>'
    links = listing_links(f"<html><body>{html}</body></html>", f"{S}/news/")
    assert links.pages == (f"{S}/news/?page=2",)  # sort=new is another listing


def test_page_cap():
    html = numbered(f"{S}/x/", 1, 200)
    links = listing_links(html, f"{S}/x/", max_pages=10)
    assert len(links.pages) == 9 and links.cut["max_pages"] == 190
    assert listing_links(numbered(f"{S}/x/", 10, 11), f"{S}/x/page/10/", max_pages=10).pages == ()


def test_depth_cap_on_sections():
    links = listing_links(HOME, f"{S}/", depth=2, max_depth=2)
    assert links.sections == () and links.cut["max_depth"] == 3
    assert links.articles  # articles and next pages are still given
    assert links.pages


def test_load_more_link_that_is_a_real_url():
    html = f"""<html><body><article><h2><a href="/a-story-with-words/">A</a></h2></article>
    <a class="btn load-more" href="/latest/?page=2">Load more</a>
    <a class="older" href="{S}/archive/older-stuff">Older posts</a>
    <button class="load-more" data-href="/x">Load more</button>
    <a class="load-more" href="javascript:load()">Load more</a>
    <a class="load-more" href="#more">Load more</a>
    <a class="show-more" href="/2024/05/06/a-story-behind-show-more/">Show more</a></body></html>"""
    links = listing_links(html, f"{S}/latest/")
    assert links.pages == (f"{S}/latest/?page=2", f"{S}/archive/older-stuff")
    assert links.articles == (f"{S}/a-story-with-words/", f"{S}/2024/05/06/a-story-behind-show-more/")


def test_base_href_is_honoured():
    html = '<html><head><base href="/en/"></head><body><h2><a href="politics/vote-passes-today/">x</a></h2></body></html>'
    assert listing_links(html, f"{S}/").articles == (f"{S}/en/politics/vote-passes-today/",)


def test_empty_and_junk_pages():
    assert listing_links("<a href='http://['>x</a><a href='//[::1'>y</a>", f"{S}/").cut["bad_url"] == 2
    # an unusable <base> is ignored, as browsers do
    assert listing_links("<base href='http://['><h2><a href='x-y-z-w'>x</a></h2>", f"{S}/").articles == (f"{S}/x-y-z-w",)
    for junk in ["", b"\x00\xff", "<html>", "<a>no href</a><a href=''></a><a href='   '>x</a>"]:
        links = listing_links(junk, f"{S}/")
        assert links.articles == links.sections == links.pages == ()


def test_drm_mirror_listings_without_knowing_jnews():
    """The DRM fixture mirror's home, category and tag pages: every article link found is
    a post its sitemaps list; the category's numbered pages are found."""
    from drmcrawl.sites.sitemaps import parse_sitemap

    repo = Path(__file__).parents[2]
    # The mirror moved to package data (the demo) in the restructure.
    root = next((d for d in (repo / "drmcrawl" / "demo" / "site", repo / "tests" / "fixtures" / "site")
                 if (d / "post-sitemap2.xml").exists()), None)
    if root is None:
        pytest.skip("DRM fixture mirror not present")

    def mirrored(name: str) -> bytes:
        return re.sub(rb"https://(www\.)?digitalrightsmonitor\.pk", S.encode(), (root / name).read_bytes())

    posts = {e.loc.rstrip("/") for name in ("post-sitemap.xml", "post-sitemap2.xml")
             for e in parse_sitemap(mirrored(name)).entries}
    for page, url in [("index.html", "/"), ("category/drm-exclusive/index.html", "/category/drm-exclusive/"),
                      ("tag/pakistan/index.html", "/tag/pakistan/")]:
        links = listing_links(mirrored(page), S + url)
        assert links.articles and {a.rstrip("/") for a in links.articles} <= posts, url
        assert f"{S}/category/drm-exclusive/" in links.sections or url != "/"
    links = listing_links(mirrored("category/drm-exclusive/index.html"), f"{S}/category/drm-exclusive/")
    assert f"{S}/category/drm-exclusive/page/2/" in links.pages


# -- the restructure's hand-made fixture sites (tests/fixtures/sites/), when present ----------
FIXTURE_SITES = Path(__file__).parents[1] / "fixtures" / "sites"
MEDIA_POSTS = {"video", "liveblog", "gallery", "podcast"}  # candidates until their page is read


@pytest.mark.parametrize("site", ["newspaper", "drupal", "arc", "urdu"])
def test_fixture_sites_home_page(site):
    """Every article the home page links is found, nothing else but media posts is taken
    for one, and the site's sections are found."""
    declared = FIXTURE_SITES / site / "expected" / "_site.json"
    if not declared.is_file():
        pytest.skip("fixture sites not present")
    info = json.loads(declared.read_text(encoding="utf-8"))
    origin, articles = info["origin"], set(info["articles"])
    home = (FIXTURE_SITES / site / "index.html").read_bytes()
    doc = Document(home, f"{origin}/")
    linked = {doc.absolute(a.get("href")).split("#")[0] for a in doc.tree.iter("a") if a.get("href")} & articles
    links = listing_links(doc, f"{origin}/")
    media = {u for u, kind in info["non_articles"].items() if kind in MEDIA_POSTS}
    assert linked <= set(links.articles) <= articles | media
    sections = {u for u, kind in info["non_articles"].items() if kind == "section"}
    assert len(set(links.sections) & sections) >= 3
