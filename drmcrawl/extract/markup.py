"""Small questions about elements that several DOM heuristics ask: their text, their
class/id words, and whether they sit in page chrome or in a block about other stories."""

from __future__ import annotations

import re

from lxml import etree

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CHROME = frozenset({"nav", "footer", "aside", "script", "noscript", "template"})
FOREIGN_NAMES = _FOREIGN = re.compile(r"related|recommend|teaser|sidebar|comment|footer|nav|menu|promo|more", re.I)
OWN_NAMES = _OWN = re.compile(r"article|content|main|post", re.I)


def names(el: etree._Element) -> str:
    """class and id, camelCase split ("metaInfoAuthorList" -> "meta Info Author List")."""
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return _CAMEL.sub(" ", names) if names.strip() else names


def text(el: etree._Element) -> str:
    return " ".join(el.text_content().split())


def in_chrome(el: etree._Element) -> bool:
    return any(a.tag in _CHROME for a in el.iterancestors())


def foreign(el: etree._Element) -> bool:
    """Inside a block about other stories (teasers, related lists, comments)."""
    for ancestor in el.iterancestors():
        if ancestor.tag in ("nav", "footer", "aside"):
            return True
        names = f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"
        if names.strip() and _FOREIGN.search(names) and not _OWN.search(names):
            return True
    return False


def in_link(el: etree._Element) -> bool:
    return any(a.tag == "a" for a in el.iterancestors())
