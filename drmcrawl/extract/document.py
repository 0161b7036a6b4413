"""A page parsed once: lxml tree, meta tags and JSON-LD nodes, shared by every layer."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import defaultdict
from functools import cached_property
from html import unescape
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from w3lib.encoding import html_to_unicode

logger = logging.getLogger(__name__)

ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "LiveBlogPosting",
        "ScholarlyArticle",
        "TechArticle",
        "Report",
    }
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Bytes to text the way browsers do: BOM, then HTTP header, then <meta charset>.

    One repair browsers don't make: a page declared UTF-8 that is not valid UTF-8 is
    almost always windows-1252 (old CMS exports), so it is read as such instead of
    filling the archive with U+FFFD."""
    encoding, text = html_to_unicode(content_type, data)
    if encoding in ("utf-8", "utf8") and "\ufffd" in text:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    return text


class Document:
    """Parsed page. Build it once per page; layers read from it, never re-parse."""

    def __init__(self, html: str | bytes, url: str):
        if isinstance(html, bytes):
            html = decode_html(html)
        self.url = url
        self._jsonld_first: str | None = None  # class of the authoritative JSON-LD script, if known
        self.tree = parse_html(html)

    # -- meta tags ---------------------------------------------------------------
    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """`<meta>` content by lower-cased name/property/itemprop, in page order."""
        found: dict[str, list[str]] = defaultdict(list)
        for el in self.tree.iter("meta"):
            content = el.get("content")
            if content is None or not (content := content.strip()):
                continue  # checked first: charset and http-equiv metas need no key lookup
            key = el.get("property") or el.get("name") or el.get("itemprop")
            if key:
                found[key.strip().lower()].append(unescape(content))
        return dict(found)

    def meta_first(self, *keys: str) -> tuple[str, str] | None:
        """The first present meta key among `keys` and its first value."""
        for key in keys:
            values = self.meta.get(key)
            if values:
                return key, values[0]
        return None

    def link_href(self, rel: str) -> str | None:
        for el in self.tree.iter("link"):
            if rel in (el.get("rel") or "").lower().split() and el.get("href"):
                return self.absolute(el.get("href"))
        return None

    def absolute(self, href: str) -> str:
        return urljoin(self.url, href.strip())

    @cached_property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    # -- JSON-LD -----------------------------------------------------------------
    @cached_property
    def jsonld_nodes(self) -> list[dict]:
        """Every JSON-LD object on the page, `@graph` members flattened, in page order, except
        that the script a site profile named authoritative (`prefer_jsonld`) comes first."""
        nodes: list[dict] = []
        # iter() walks the tree in C; the `//script[@type=...]` XPath cost more than the
        # JSON decoding (`//` builds a node-set of every node first).
        scripts = [s for s in self.tree.iter("script") if s.get("type") == "application/ld+json"]
        if self._jsonld_first:
            scripts.sort(key=lambda s: self._jsonld_first not in (s.get("class") or "").split())
        for script in scripts:
            data = _load_json(script.text or "")
            if data is None:
                self.errors.append("jsonld: unparseable script skipped")
                continue
            nodes.extend(_flatten(data))
        return nodes

    def prefer_jsonld(self, script_class: str) -> None:
        """A site profile may know which JSON-LD script is authoritative (JNews/WordPress:
        Yoast's graph, ahead of the less exact nodes other plugins print). Not in general:
        elsewhere a site's own first script is often the better one (all its authors)."""
        if "jsonld_nodes" in self.__dict__ and self._jsonld_first != script_class:
            raise RuntimeError("prefer_jsonld() must come before JSON-LD is read")
        self._jsonld_first = script_class

    @cached_property
    def errors(self) -> list[str]:
        return []

    @cached_property
    def jsonld_by_id(self) -> dict[str, dict]:
        return {n["@id"]: n for n in self.jsonld_nodes if isinstance(n.get("@id"), str)}

    def resolve(self, value: object) -> object:
        """Follow an `{"@id": ...}` reference to its node when the page defines it."""
        if isinstance(value, dict) and set(value) == {"@id"}:
            return self.jsonld_by_id.get(value["@id"], value)
        return value

    @cached_property
    def jsonld_article(self) -> dict | None:
        """The article node: the first node typed as an article, news article or post."""
        for node in self.jsonld_nodes:
            if ARTICLE_TYPES & set(node_types(node)):
                return node
        return None

    # -- DOM ---------------------------------------------------------------------
    @cached_property
    def html_lang(self) -> str | None:
        return self.tree.get("lang") or self.tree.get("xml:lang")

    @cached_property
    def body_classes(self) -> frozenset[str]:
        body = self.tree.find("body")
        return frozenset((body.get("class") or "").split()) if body is not None else frozenset()


def node_types(node: dict) -> list[str]:
    types = node.get("@type", [])
    return [types] if isinstance(types, str) else [t for t in types if isinstance(t, str)]


def parse_html(html: str) -> etree._Element:
    """The page as an lxml.html tree, parsed the extractor's fast way (see _html_parser)."""
    # lxml refuses str input that carries an XML encoding declaration.
    if html.lstrip().startswith("<?xml"):
        html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    if not html or html.isspace():  # not `html.strip()`: that copies the whole page
        html = "<html></html>"
    parser = getattr(_PARSERS, "html", None)
    if parser is None:  # lxml parsers must not be shared between threads
        parser = _PARSERS.html = _html_parser()
    tree = lxml.html.document_fromstring(html, parser=parser)
    if len(html) >= _HUGE_NODE_MIN_PAGE and _hit_size_limit(parser):
        # libxml2 stops at a text node (or attribute, comment) over its 10 MB limit, a
        # huge inline script or JSON blob, and drops the rest of the page silently: the
        # article became `not_an_article`. Parsed again with the limit lifted; only pages
        # long enough to hold such a node are checked, so the usual parse costs nothing
        # more (`huge_tree` for every page would also lift the nesting limit, 256 -> 2048).
        logger.info("page has a node over lxml's size limit; parsed again with huge_tree")
        huge = getattr(_PARSERS, "huge", None)
        if huge is None:
            huge = _PARSERS.huge = _html_parser(huge_tree=True)
        tree = lxml.html.document_fromstring(html, parser=huge)
    return tree


# libxml2's limit on one text node is 10,000,000 bytes of UTF-8 (XML_MAX_TEXT_LENGTH);
# a str of fewer characters than a quarter of that cannot hold such a node.
_HUGE_NODE_MIN_PAGE = 10_000_000 // 4


def _hit_size_limit(parser: etree.HTMLParser) -> bool:
    """Whether the last parse stopped at libxml2's node size limit ("Buffer size limit
    exceeded", "value too long"), not at its nesting depth limit (which is kept)."""
    for error in parser.error_log:
        message = error.message.lower()
        # Older libxml2 reports "xmlSAX2Characters: huge text node" under another code.
        if (error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "huge" in message) and "depth" not in message:
            return True
    return False


def _html_parser(huge_tree: bool = False) -> etree.HTMLParser:
    """lxml.html's parser with a C-level element class lookup. The default lookup is a
    Python callback run for every element object handed to Python (hundreds per page, a
    tenth of extraction time); it only picks form-control classes, which extraction never
    uses: all elements are plain HtmlElement here, with the same API.

    No ID table either (`collect_ids=False`): nothing here looks elements up by ID, and
    WordPress menus repeat IDs, each repeat a libxml2 error turned into a Python log
    entry (an eighth of the parse on a DRM page)."""
    parser = lxml.html.HTMLParser(collect_ids=False, huge_tree=huge_tree)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
    return parser


_PARSERS = threading.local()


def _load_json(text: str) -> object | None:
    text = text.strip()
    # CDATA wrappers and HTML comments are common around JSON-LD in the wild.
    if text.startswith(("<![CDATA[", "<!--")) or text.endswith(("]]>", "-->")):
        text = re.sub(r"^\s*(<!\[CDATA\[|<!--)|(\]\]>|-->)\s*$", "", text)
    try:
        return json.loads(text)
    except ValueError:
        pass
    # Repaired only on failure: two regex passes cost more than decoding Yoast's graph.
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", _CONTROL_CHARS.sub(" ", text)))
    except ValueError:
        logger.debug("unparseable JSON-LD: %.80s", text)
        return None


def _flatten(data: object) -> list[dict]:
    if isinstance(data, list):
        return [n for item in data for n in _flatten(item)]
    if not isinstance(data, dict):
        return []
    graph = data.get("@graph")
    if isinstance(graph, list):
        return [n for item in graph for n in _flatten(item)]
    return [data]
