"""The JNews WordPress theme, and Digital Rights Monitor which runs it.

Markup per ../shared/docs/jnews-wordpress.md: classic single-post templates
(`.jeg_inner_content`) and the custom builder template DRM uses (`.jeg_custom_*_wrapper`)
share the element classes read here."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml.cssselect import CSSSelector

from drmcrawl.extract.body import body_html, body_text, clean_copy
from drmcrawl.extract.dates import parse_date, split_visible_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.model import Article, Term
from drmcrawl.extract.profiles import Profile, register

# Blocks that list *other* posts or belong to the page chrome; anything inside them is
# never a field of this article.
_FOREIGN = frozenset(
    "jeg_postblock jeg_sidebar widget jeg_popup_post jnews_related_post_container "
    "jeg_prevnext_post jeg_authorbox jeg_header_wrapper jeg_footer jeg_navbar_mobile_wrapper".split()
)


def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector)


def _own(selector: str):
    """`selector`, skipping matches inside foreign blocks. The ancestor check runs in
    Python on the few matches: as an XPath predicate it cost more than the parse."""
    find = CSSSelector(selector)

    def select(tree) -> list:
        return [el for el in find(tree) if not _inside_foreign(el)]

    return select


def _inside_foreign(el) -> bool:
    for ancestor in el.iterancestors():
        classes = ancestor.get("class")
        if classes and not _FOREIGN.isdisjoint(classes.split()):
            return True
    return False


_TITLE = _own("h1.jeg_post_title")
_AUTHOR_LINKS = _own(".jeg_meta_author a")
_DATE = _own(".jeg_meta_date")
_CATEGORY_LINKS = _own(".jeg_meta_category a")
_TAG_LINKS = _own(".jeg_post_tags a")
_FEATURED_IMG = _own(".jeg_featured img")
_FEATURED_CAPTION = _own(".jeg_featured .wp-caption-text")
_CONTENT = _own(".entry-content .content-inner")
_MARKUP = _css(".jeg_viewport, h1.jeg_post_title, .jeg_meta_author")

# Junk that JNews and its plugins insert inside `.content-inner`.
_BODY_JUNK = _css(
    ".jnews_inline_related_post_wrapper, .jnews_inline_related_post, .jeg_postblock, "
    ".jeg_ad, .jnews_content_inline_ads, .jeg_post_source, .jeg_post_via, .jeg_post_tags, "
    ".jeg_share_button, .jeg_share_top_container, .jeg_share_bottom_container, "
    ".page-links, .jeg_splitpost_nav, .jeg_pagelink, .fb-comments, .sharedaddy, "
    ".jeg_splitpost_bar, .jeg_split_pagination, "  # jnews-split: section bar, "Page 1 of N" nav
    ".footer-message, .jnews_prev_next_container, .jnews_author_box_container, "
    "[id^='taboola-'], .addtoany_share_save_container, .wp-block-embed__wrapper > script"
)
_POST_ID_CLASS = re.compile(r"^postid-(\d+)$")
_REST_POST = re.compile(r"/wp-json/wp/v2/posts/(\d+)")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_PLACEHOLDER = "data:"
_KNOWN_PLACES = ("authors", "tags", "categories", "image_url", "image_caption")


class JNewsProfile(Profile):
    name = "jnews"

    def matches(self, doc: Document) -> bool:
        return bool(_MARKUP(doc.tree))

    def fill(self, doc: Document, article: Article) -> None:
        src = f"profile.{self.name}"
        tree = doc.tree
        article.set("post_id", post_id(doc), src)
        article.set("title", _first_text(_TITLE(tree)), src)
        article.set("authors", _dedupe(_link_texts(_AUTHOR_LINKS(tree))), src)
        article.set("categories", _terms(_CATEGORY_LINKS(tree), "category"), src)
        article.set("tags", _terms(_TAG_LINKS(tree), "tag"), src)
        images = _FEATURED_IMG(tree)
        if images:
            article.set("image_url", _image_src(doc, images[0]), src)
        article.set("image_caption", _first_text(_FEATURED_CAPTION(tree)), src)
        content = _CONTENT(tree)
        if content:
            cleaned = clean_copy(content[0], _BODY_JUNK)
            article.set("body", body_text(cleaned), src)
            article.set("body_html", body_html(cleaned), src)
        if self.site_name:
            article.set("site", self.name, src)

    def fill_fallback(self, doc: Document, article: Article) -> None:
        """JNews may print the *modified* date in `.jeg_meta_date`, so it is read only
        when neither JSON-LD nor article meta gave dates."""
        if _TITLE(doc.tree):
            # A JNews single post shows these in known places; DOM guessing would only
            # find the sidebar's links and dates.
            for name in _KNOWN_PLACES:
                article.settle(name, f"profile.{self.name}")
        text = _first_text(_DATE(doc.tree))
        if not text or not _YEAR.search(text):
            return
        published, modified = split_visible_date(text)
        source = f"profile.{self.name}.visible_date"
        article.set("published", parse_date(published, self.zone), source)
        if modified:
            article.set("modified", parse_date(modified, self.zone), source)


@register
class JNews(JNewsProfile):
    pass


@register
class DigitalRightsMonitor(JNewsProfile):
    name = "drm"
    domains = ("digitalrightsmonitor.pk",)
    timezone = "Asia/Karachi"
    site_name = "Digital Rights Monitor"

    def matches(self, doc: Document) -> bool:
        return False  # chosen by domain (or explicitly by the spider), never by markup


def post_id(doc: Document) -> int | None:
    """WordPress post ID: body class, then shortlink `?p=ID`, then REST API link."""
    for cls in doc.body_classes:
        match = _POST_ID_CLASS.match(cls)
        if match:
            return int(match.group(1))
    shortlink = doc.link_href("shortlink")
    if shortlink:
        values = parse_qs(urlsplit(shortlink).query).get("p")
        if values and values[0].isdigit():
            return int(values[0])
    for el in doc.tree.iter("link"):
        match = _REST_POST.search(el.get("href") or "")
        if match:
            return int(match.group(1))
    return None


def _first_text(elements) -> str | None:
    for el in elements:
        text = " ".join(el.text_content().split())
        if text:
            return text
    return None


def _link_texts(links) -> list[str]:
    return [t for t in (" ".join(a.text_content().split()) for a in links) if t]


def _terms(links, kind: str) -> list[Term]:
    terms: list[Term] = []
    for a in links:
        name = " ".join(a.text_content().split())
        if name and all(t.name != name or t.slug != _slug(a, kind) for t in terms):
            terms.append(Term(name, _slug(a, kind)))
    return terms


def _slug(link, kind: str) -> str | None:
    """`/category/parent/child/` -> `child`; `/tag/pakistan/` -> `pakistan`."""
    parts = [p for p in urlsplit(link.get("href") or "").path.split("/") if p]
    if kind in parts and parts[-1] != kind:
        return parts[-1]
    return None


def _image_src(doc: Document, img) -> str | None:
    for attr in ("data-src", "data-lazy-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not value.startswith(_PLACEHOLDER):
            return doc.absolute(value)
    return None


def _dedupe(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
