"""Article-like or navigation-like from the URL: fixed rules and shapes learned per site."""

import pytest

from drmcrawl.sites.urlshapes import (
    ARTICLE_SCORE,
    NAVIGATION_SCORE,
    UrlShapes,
    generic_score,
    non_article_reason,
    shape_of,
)

S = "https://news.example"


@pytest.mark.parametrize("path, reason", [
    ("/", "home"),
    ("", "home"),
    ("/tag/budget/", "tag"),
    ("/tags/budget", "tag"),
    ("/category/politics/", "category"),
    ("/category/politics/page/3/", "category"),
    ("/section/world/", "category"),
    ("/author/jane-doe/", "author"),
    ("/page/2/", "pagination"),
    ("/politics/page/12", "pagination"),
    ("/politics/?page=2", "pagination"),
    ("/page2/", "pagination"),  # jekyll-paginate
    ("/videos/", "category"),  # a media hub lists items
    ("/podcast", "category"),
    ("/topics/gdpr", "tag"),  # Drupal free tagging
    ("/?paged=3", "pagination"),
    ("/search/budget", "search"),
    ("/?s=budget", "search"),
    ("/news/?q=budget", "search"),
    ("/feed/", "feed"),
    ("/2024/05/06/budget-passed-today/feed/", "feed"),
    ("/rss.xml", "feed"),
    ("/index.rdf", "feed"),
    ("/about/", "static"),
    ("/about-us", "static"),
    ("/contact-us/", "static"),
    ("/privacy-policy/", "static"),
    ("/terms-of-service/", "static"),
    ("/wp-content/uploads/2024/05/photo-750x375.jpg", "technical"),
    ("/files/report.PDF", "media"),
    ("/podcast.mp3", "media"),
    ("/wp-login.php", "account"),
    ("/2024/", "date_archive"),
    ("/2024/05/", "date_archive"),
    ("/2024/05/06/", "date_archive"),
    ("/some-post-slug/comment-page-2/", "comments"),
    ("/some-post-slug/?replytocom=5", "comments"),
])
def test_obvious_non_articles(path, reason):
    assert non_article_reason(S + path) == reason


@pytest.mark.parametrize("path", [
    "/2024/05/06/budget-passed-today/",
    "/politics/budget-passed-today/",
    "/news/world-asia-12345678",
    "/budget-passed-today.html",
    "/about-the-budget-this-year/",  # a slug starting with "about" is not the about page
    "/news/tag/",  # "tag" deep in the path and last: a word, not a tag archive
    "/?p=123",  # WordPress shortlink of a post
    "/the-privacy-debate-in-2024/",
    "/videos/karachi-rain-after-the-storm/",  # an item under a media hub
])
def test_articles_are_not_ruled_out(path):
    assert non_article_reason(S + path) is None


def test_unparseable_url():
    assert non_article_reason("http://[/x-y-z") == "invalid"
    assert shape_of("http://[/x-y-z").depth == 0
    shapes = UrlShapes(min_samples=1)
    shapes.learn("http://[/x-y-z")
    assert shapes.samples == 0 and shapes.score("http://[/x-y-z") == 0.0


def test_shape_features():
    shape = shape_of(f"{S}/2024/05/06/budget-passed-today/")
    assert (shape.depth, shape.date, shape.slug, shape.numeric_id) == (4, "ymd", True, False)
    shape = shape_of(f"{S}/news/world-asia-12345678.html")
    assert (shape.depth, shape.date, shape.slug, shape.numeric_id, shape.extension, shape.first) == (
        2, "", True, True, ".html", "news")
    assert shape_of(f"{S}/story.php?id=991").numeric_id
    assert shape_of(f"{S}/2024/05/x/").date == "ym"
    assert shape_of(f"{S}/بجٹ-منظور-ہو-گیا/").slug  # slugs in any script
    assert not shape_of(f"{S}/2024-05-06/").slug


def test_generic_score_without_learning():
    assert generic_score(f"{S}/2024/05/06/budget-passed-today/") >= ARTICLE_SCORE
    assert generic_score(f"{S}/politics/budget-passed-today/") >= ARTICLE_SCORE
    assert generic_score(f"{S}/politics/") <= NAVIGATION_SCORE
    assert generic_score(f"{S}/tag/budget-passed-today/") == 0.0


def _learned(*patterns: str, n: int = 20) -> UrlShapes:
    shapes = UrlShapes()
    for pattern in patterns:
        shapes.learn_many(S + pattern.format(i=i) for i in range(n))
    return shapes


def test_learned_section_slug_shape():
    shapes = _learned("/politics/story-number-{i}-here/", "/world/another-story-{i}/")
    assert shapes.samples == 40
    assert shapes.verdict(f"{S}/sport/cricket-final-tonight/") == "article"  # new section, same shape
    assert shapes.verdict(f"{S}/politics/") == "navigation"
    assert shapes.verdict(f"{S}/sport/cricket/") == "navigation"
    assert shapes.verdict(f"{S}/a/b/c/d/") == "navigation"
    assert shapes.verdict(f"{S}/tag/story-number-1-here/") == "navigation"


def test_learned_date_shape_rejects_undated_slugs():
    """On a site whose articles are all /YYYY/MM/DD/slug/, an undated slug is a page."""
    shapes = _learned("/2024/05/{i:02d}/story-number-{i}/")
    assert shapes.verdict(f"{S}/2023/11/30/new-story-words/") == "article"
    assert shapes.score(f"{S}/our-editorial-standards-page/") < shapes.score(f"{S}/2023/11/30/x-y-z/")
    assert shapes.verdict(f"{S}/our-editorial-standards-page/") != "article"


def test_learned_numeric_id_shape():
    shapes = _learned("/news/{i}0000123", "/news/{i}0000456")
    assert shapes.verdict(f"{S}/news/99000123") == "article"
    assert shapes.verdict(f"{S}/news/") == "navigation"


def test_too_few_samples_falls_back_to_generic():
    shapes = _learned("/2024/05/06/budget-{i}/", n=2)
    assert shapes.score(f"{S}/politics/budget-passed-today/") == generic_score(f"{S}/politics/budget-passed-today/")


def test_navigation_urls_are_not_learned():
    shapes = UrlShapes()
    shapes.learn_many([f"{S}/category/politics/", f"{S}/tag/x/", f"{S}/"])
    assert shapes.samples == 0
