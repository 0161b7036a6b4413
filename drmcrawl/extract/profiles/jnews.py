"""The JNews WordPress theme, and Digital Rights Monitor which runs it.

Markup as the live JNews theme serves it: classic single-post templates
(`.jeg_inner_content`) and the custom builder template DRM uses (`.jeg_custom_*_wrapper`)
share the element classes read here."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from lxml.cssselect import CSSSelector

from drmcrawl.extract.body import Junk, body_html, body_text, clean_copy
from drmcrawl.extract.dates import parse_date, split_visible_date
from drmcrawl.extract.document import Document
from drmcrawl.extract.profiles import Profile, register
from drmcrawl.extract.structured import declared_original, wordpress_size_original
from drmcrawl.model import Article, Term

# Blocks that list *other* posts or belong to the page chrome; anything inside them is
# never a field of this article.
_FOREIGN = frozenset(
    "jeg_postblock jeg_sidebar widget jeg_popup_post jnews_related_post_container "
    "jeg_prevnext_post jeg_authorbox jeg_header_wrapper jeg_footer jeg_navbar_mobile_wrapper".split()
)


def _css(selector: str) -> CSSSelector:
    return CSSSelector(selector)


class _Places:
    """The profile's fields' elements, found in ONE pass over the tree. Nine CSSSelectors
    (one full-tree XPath scan each) cost twice the parse; here one C-level walk hands over
    the elements, a substring test skips most class attributes, and exact class tokens are
    checked in Python for the rest. Same matches, same document order as the CSS selectors
    `h1.jeg_post_title`, `.jeg_meta_author a`, `.entry-content .content-inner`..., minus
    those inside foreign blocks."""

    CLASSES = ("jeg_post_title", "jeg_meta_author", "jeg_meta_date", "jeg_meta_category", "jeg_post_tags",
               "jeg_featured", "content-inner")
    _SPACE = re.compile(r"[ \t\n\r\f]+")  # the separators CSS class matching splits on

    def __init__(self, tree):
        self.by_class: dict[str, list] = {name: [] for name in self.CLASSES}
        # Not XPath: libxml2 evaluates even `descendant::*[@class]` slower than lxml
        # walks the tree and reads every class attribute, and contains() far slower.
        for el in tree.iter(etree.Element):  # elements only: comments have no class
            classes = el.get("class")
            if classes and _may_name_a_place(classes):
                for name in set(self._SPACE.split(classes)).intersection(self.CLASSES):
                    self.by_class[name].append(el)
        self._foreign: dict = {}

    @classmethod
    def of(cls, doc: Document) -> _Places:
        places = doc.__dict__.get("_jnews_places")
        if places is None:
            places = doc.__dict__["_jnews_places"] = cls(doc.tree)
        return places

    def own(self, elements) -> list:
        return [el for el in elements if not self._inside_foreign(el)]

    def having(self, name: str, tag: str | None = None) -> list:
        """`tag.name`: elements with class token `name`."""
        return self.own(el for el in self.by_class[name] if tag is None or el.tag == tag)

    def under(self, name: str, tag: str | None = None, cls: str | None = None) -> list:
        """`.name tag` / `.name .cls`: descendants of the `name` elements, deduplicated,
        in document order (a nested container's descendants come with its outer one)."""
        found: dict = {}
        for container in self.by_class[name]:
            for el in container.iterdescendants(tag) if tag else container.iterdescendants():
                if cls is None or cls in self._SPACE.split(el.get("class") or ""):
                    found[el] = None
        return self.own(found)

    def within(self, name: str, ancestor_class: str) -> list:
        """`.ancestor_class .name`."""
        return self.own(el for el in self.by_class[name]
                        if any(ancestor_class in self._SPACE.split(a.get("class") or "") for a in el.iterancestors()))

    def _inside_foreign(self, el) -> bool:
        """Whether an ancestor is a foreign block; memoised per element so each ancestor
        chain is walked once per page (iteratively: hostile pages nest deeply)."""
        chain, node, answer = [], el.getparent(), False
        while node is not None:
            known = self._foreign.get(node)
            if known is not None:
                answer = known
                break
            chain.append(node)
            node = node.getparent()
        # chain runs from the parent upwards; resolve it from the top down.
        for node in reversed(chain):
            classes = node.get("class")
            answer = answer or bool(classes and not _FOREIGN.isdisjoint(classes.split()))
            self._foreign[node] = answer
        return answer


def _may_name_a_place(classes: str) -> bool:
    """A substring test true for every class attribute holding one of `_Places.CLASSES`
    (and a few more): four `in` tests cost less than a regex search (most attributes
    fail them all)."""
    return "jeg_post_t" in classes or "jeg_meta_" in classes or "jeg_featured" in classes \
        or "content-inner" in classes


_MARKUP = _css(".jeg_viewport, h1.jeg_post_title, .jeg_meta_author")


class _DivOfClass:
    """Finds `<div ... class="... NAME ...">` opening tags: the class name is searched as
    plain text (a regex over every tag of a 90 KB page cost as much as parsing it) and
    each place it occurs is checked to be a class token of a div's own opening tag (not
    CSS in a <style>, not text)."""

    def __init__(self, name: str):
        self.name = name
        self._token = re.compile(r"\bclass\s*=\s*[\"'](?:[^\"']*\s)?" + re.escape(name) + r"[\"'\s]")

    def starts(self, html: str) -> list[int]:
        found, at = [], html.find(self.name)
        while at != -1:
            tag = html.rfind("<", 0, at)
            if tag != -1 and html.startswith("<div", tag) and ">" not in html[tag:at]:
                end = html.find(">", at)
                if self._token.search(html, tag, len(html) if end == -1 else end + 1):
                    found.append(tag)
            at = html.find(self.name, at + len(self.name))
        return found


# The page chrome around a JNews post (jnews-wordpress.md §2 skeleton, inside
# `.jeg_viewport`): the desktop, sticky and mobile headers before `.post-wrapper` (three
# copies of the menu, the live search), and from `.footer-holder` to the end of the body
# the footer widgets, the off-canvas menu, the login popups and the theme's scripts.
# Four tenths of a page's elements; half of extraction's time was parsing and walking them.
_HEADER = _DivOfClass("jeg_header_wrapper")
_POST = _DivOfClass("post-wrapper")
_FOOTER = _DivOfClass("footer-holder")
# What the structured layers read wherever it is in a page (JSON-LD, meta tags, the
# canonical and short links): chrome holding any of it is kept. (DOM guessing only fills
# what this profile and the structured data left open; in the chrome it would find the
# site's logo, the menus' posts and the render date, never this article's.)
_READ_ANYWHERE = ("ld+json", "<meta", "canonical", "shortlink")
# On an archive or home page the chrome ends where `.jeg_main` (the listing) starts.
ARCHIVE_MAIN = _DivOfClass("jeg_main")

# Junk that JNews and its plugins insert inside `.content-inner`.
_BODY_JUNK = Junk(
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
# Lazy-loading placeholders (JNews' `jeg-empty.png`, a 1px gif) stand in `src` until the
# script swaps in `data-src`: never the article's image.
_PLACEHOLDER = re.compile(r"^data:|/jeg-empty\.\w+$|/(?:blank|spacer|transparent|placeholder|"
                          r"lazy[-_]?(?:load|placeholder)?)\.(?:png|gif|svg)$", re.I)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp|tiff?)$", re.I)
_SRCSET_SPLIT = re.compile(r",\s+")  # "a.jpg 750w, b.jpg 300w": a comma inside a URL has none after it
_KNOWN_PLACES = ("authors", "tags", "categories", "image_url", "image_caption")


class JNewsProfile(Profile):
    name = "jnews"
    # Yoast SEO's graph; other plugins (Schema Pro...) may print a second, less exact article.
    jsonld_script_class = "yoast-schema-graph"

    def matches(self, doc: Document) -> bool:
        return bool(_MARKUP(doc.tree))

    def without_chrome(self, html: str) -> str:
        """The post page without its header and footer chrome (see `_HEADER`)."""
        return without_chrome(html, _POST, _READ_ANYWHERE)

    def fill(self, doc: Document, article: Article) -> None:
        src = f"profile.{self.name}"
        places = _Places.of(doc)
        article.set("post_id", post_id(doc), src)
        article.set("title", _first_text(places.having("jeg_post_title", "h1")), src)
        article.set("authors", _dedupe(_link_texts(places.under("jeg_meta_author", "a"))), src)
        article.set("categories", _terms(places.under("jeg_meta_category", "a"), "category"), src)
        article.set("tags", _terms(places.under("jeg_post_tags", "a"), "tag"), src)
        article.set("image_url", _featured_image(doc, places.under("jeg_featured", "a"),
                                                 places.under("jeg_featured", "img")), src)
        article.set("image_caption", _first_text(places.under("jeg_featured", cls="wp-caption-text")), src)
        content = places.within("content-inner", "entry-content")
        if content:
            cleaned = clean_copy(content[0], _BODY_JUNK)
            article.set("body", body_text(cleaned), src)
            article.set("body_html", body_html(cleaned), src)
        if self.site_name:
            article.set("site", self.name, src)

    def fill_fallback(self, doc: Document, article: Article) -> None:
        """JNews may print the *modified* date in `.jeg_meta_date`, so it is read only
        when neither JSON-LD nor article meta gave dates."""
        places = _Places.of(doc)
        _full_size(doc, article)
        if places.having("jeg_post_title", "h1"):
            # A JNews single post shows these in known places; DOM guessing would only
            # find the sidebar's links and dates.
            for name in _KNOWN_PLACES:
                article.settle(name, f"profile.{self.name}")
        # Fuzzy date parsing is costly: only for a date the structured layers left open.
        wants_published, wants_modified = article.wants("published"), article.wants("modified")
        if not (wants_published or wants_modified):
            return
        text = _first_text(places.having("jeg_meta_date"))
        if not text or not _YEAR.search(text):
            return
        published, modified = split_visible_date(text)
        source = f"profile.{self.name}.visible_date"
        if wants_published:
            article.set("published", parse_date(published, self.zone), source)
        if modified and wants_modified:
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


def without_chrome(html: str, main: _DivOfClass, read_anywhere: tuple[str, ...]) -> str:
    """`html` without the header chrome before the `main` div and the footer chrome from
    `.footer-holder` to the end of the body, each cut only where its bounds are
    unambiguous (each marker div found once, in page order) and it holds none of
    `read_anywhere` (what the caller reads wherever it is in a page); otherwise the
    page as it is."""
    header, post, footer = (_only_one(pattern, html) for pattern in (_HEADER, main, _FOOTER))
    if post is None:
        return html
    head_cut = header is not None and header < post and _only_chrome(html, header, post, read_anywhere)
    footer, body_end = (footer, html.rfind("</body")) if footer is not None and footer > post else (-1, -1)
    tail_cut = body_end > footer > post and _only_chrome(html, footer, body_end, read_anywhere)
    if not (head_cut or tail_cut):
        return html
    kept_head = html[:header] if head_cut else html[:post]
    post_part = html[post:footer] if tail_cut else html[post:]
    return kept_head + post_part + (html[body_end:] if tail_cut else "")


def _only_one(divs: _DivOfClass, html: str) -> int | None:
    """Where the one such div starts; None when there are none or several."""
    found = divs.starts(html)
    return found[0] if len(found) == 1 else None


def _only_chrome(html: str, start: int, end: int, read_anywhere: tuple[str, ...]) -> bool:
    return all(html.find(marker, start, end) == -1 for marker in read_anywhere)


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


def _featured_image(doc: Document, links, images) -> str | None:
    """The featured image at full size. JNews shows a size WordPress made of it (its
    `-750x375` crop, in data-src and srcset) and links that to the original file; the head
    (og:image, Yoast's ImageObject) names the original too. So: the link's file; else the
    shown image, or when that is a WordPress size, the original the page declares, else the
    upload it was made from (its name without the size). None when there is no image."""
    for link in links:
        href = (link.get("href") or "").strip()
        if href and _IMAGE_FILE.search(urlsplit(href).path) and not _PLACEHOLDER.search(href):
            href = doc.absolute(href)
            return declared_original(doc, href) or href
    if not images:
        return None
    shown = _image_src(doc, images[0])
    if shown is None or wordpress_size_original(shown) is None:
        return shown
    srcset = tuple(doc.absolute(url) for url, _ in _srcset(images[0]))
    return declared_original(doc, shown, srcset) or wordpress_size_original(shown)


def _full_size(doc: Document, article: Article) -> None:
    """A WordPress size the head named as the image (a video post's og:image; Yoast names a
    smaller size of an over-large upload) gives way to its upload: on a WordPress site a
    `-WxH` name under /wp-content/uploads/ is a size WordPress made. (The structured layers
    already took an original the page declares for it.)"""
    original = wordpress_size_original(article.image_url) if article.image_url else None
    if original:
        article.image_url = original
        article.sources["image_url"] += " (its upload, without the size)"


def _image_src(doc: Document, img) -> str | None:
    """The image an `<img>` shows, absolute: lazy `data-src` before the placeholder in
    `src`; else the widest of its srcset."""
    for attr in ("data-src", "data-lazy-src", "src"):
        value = (img.get(attr) or "").strip()
        if value and not _PLACEHOLDER.search(value):
            return doc.absolute(value)
    widest = max(_srcset(img), key=lambda item: item[1], default=None)
    return doc.absolute(widest[0]) if widest else None


def _srcset(img) -> list[tuple[str, int]]:
    items = []
    for attr in ("data-srcset", "data-lazy-srcset", "srcset"):
        for item in _SRCSET_SPLIT.split((img.get(attr) or "").strip()):
            url, *descriptor = item.split() or [""]
            if url and not _PLACEHOLDER.search(url):
                width = descriptor[0][:-1] if descriptor and descriptor[0].endswith("w") else ""
                items.append((url.rstrip(","), int(width) if width.isdigit() else 0))
        if items:
            break
    return items


def _dedupe(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))
