"""What a URL alone says is never an article, on any site: `/tag/`, `/author/`, `/page/2/`,
`?s=`, `/feed/`, about/contact/privacy pages, media files, date archives.

Fixed rules, shared by the page classifier (`pagetype`) and the site discovery that
learns each site's article URL shapes (`drmcrawl.sites.urlshapes`): here, below both, so
extraction never imports the sites layer.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, urlsplit

_SEGMENT_REASONS = {
    "tag": "tag", "tags": "tag", "label": "tag", "keyword": "tag", "keywords": "tag",
    "category": "category", "categories": "category", "section": "category", "sections": "category",
    "topic": "tag", "topics": "tag",  # Drupal and most news CMSs: free tagging
    "author": "author", "authors": "author", "writer": "author", "writers": "author",
    "contributor": "author", "contributors": "author", "profile": "author", "people": "author",
    "search": "search",
    "feed": "feed", "rss": "feed", "atom": "feed", "feeds": "feed",
    "wp-admin": "account", "wp-login.php": "account", "login": "account", "register": "account",
    "signin": "account", "signup": "account", "account": "account", "my-account": "account",
    "cart": "account", "checkout": "account", "subscribe": "account",
    "wp-json": "technical", "wp-content": "technical", "wp-includes": "technical",
    "xmlrpc.php": "technical", "cdn-cgi": "technical", "trackback": "technical", "embed": "technical",
}
# Whole last segments of site pages about the outlet, not news.
_STATIC = frozenset(
    "about about-us aboutus who-we-are contact contact-us contactus privacy privacy-policy "
    "privacy-notice cookie-policy cookies terms terms-of-service terms-of-use "
    "terms-and-conditions tos disclaimer imprint impressum advertise advertising careers jobs "
    "faq faqs team our-team staff masthead newsletter newsletters donate support-us "
    "editorial-policy ethics corrections code-of-conduct sitemap".split()
)
_MEDIA_HUBS = frozenset(
    "video videos podcast podcasts gallery galleries photos pictures multimedia media watch listen live".split())
_MEDIA = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|mp3|m4a|ogg|wav|mp4|m4v|webm|mov|avi|"
    r"zip|gz|rar|7z|docx?|xlsx?|pptx?|odt|csv|css|js|json|woff2?|ttf|eot)$", re.I)
_FEED_FILE = re.compile(r"\.(rss|atom|rdf|xml)$", re.I)
_PAGE_QUERY = frozenset({"page", "paged", "pg", "start", "offset"})
_SEARCH_QUERY = frozenset({"s", "q", "query", "search", "keyword", "keywords"})
_JEKYLL_PAGE = re.compile(r"page\d+")
_YEAR = re.compile(r"(19|20)\d\d")
_MONTH_DAY = re.compile(r"\d{1,2}")


def path_segments(path: str) -> list[str]:
    """Non-empty, lowercased path segments."""
    return [s for s in path.lower().split("/") if s]


def split_url(url: str) -> SplitResult | None:
    """urlsplit, or None for what it refuses."""
    try:
        return urlsplit(url)
    except ValueError:  # `http://[`
        return None


@lru_cache(maxsize=16384)  # a crawl asks of every link on every listing page, and links repeat
def non_article_reason(url: str) -> str | None:
    """Why `url` is never an article on any site ("home", "tag", "category", "author",
    "pagination", "search", "feed", "static", "media", "account", "technical",
    "date_archive", "comments", "invalid"), or None when nothing says so."""
    parts = split_url(url)
    if parts is None:
        return "invalid"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    segments = path_segments(parts.path)
    if not segments:  # the root with a query: `?s=x`, `?page=2`, `?p=123` (a WordPress shortlink)
        return _query_reason(query) or (None if query else "home")
    return (_segment_reason(segments) or _query_reason(query) or _last_segment_reason(segments))


def _segment_reason(segments: list[str]) -> str | None:
    for i, segment in enumerate(segments):
        if segment == "page" and i + 1 < len(segments) and segments[i + 1].isdigit():
            return "pagination"
        if _JEKYLL_PAGE.fullmatch(segment):  # jekyll-paginate's /page2/
            return "pagination"
        if segment.startswith("comment-page-"):
            return "comments"
        reason = _SEGMENT_REASONS.get(segment)
        # A section/tag word deep in a path can be a slug word (`/news/tag/`), but at the
        # start or followed by a name it is the archive itself.
        if reason and (i == 0 or reason in ("feed", "technical", "account") or i + 1 < len(segments)):
            return reason
    return None


def _query_reason(query: dict[str, str]) -> str | None:
    if _SEARCH_QUERY & set(query):
        return "search"
    if any(k in query and query[k].isdigit() for k in _PAGE_QUERY):
        return "pagination"
    if "replytocom" in query:
        return "comments"
    if "feed" in query:
        return "feed"
    return None


def _last_segment_reason(segments: list[str]) -> str | None:
    last = segments[-1]
    if _MEDIA.search(last):
        return "media"
    if _FEED_FILE.search(last):
        return "feed"
    if last.rsplit(".", 1)[0] in _STATIC and len(segments) <= 2:
        return "static"
    if len(segments) == 1 and last in _MEDIA_HUBS:
        return "category"  # `/videos/`, `/podcast/`: the hub listing the items, never one
    if date_segments(segments) and len(date_segments(segments)) == len(segments):
        return "date_archive"  # /2024/ or /2024/05/ or /2024/05/06/: nothing after the date
    return None


def date_segments(segments: list[str]) -> list[str]:
    """The first run of date segments in the path: `y`, `y/m` or `y/m/d`."""
    for start, segment in enumerate(segments):
        if _YEAR.fullmatch(segment):
            run = [segment]
            for nxt in segments[start + 1:start + 3]:
                if not (_MONTH_DAY.fullmatch(nxt) and 1 <= int(nxt) <= 31):
                    break
                run.append(nxt)
            return run
    return []
