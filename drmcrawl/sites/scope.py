"""A site's scope: the origins (scheme, host, port) its pages may come from.

Everything is compared after the normalisation a browser applies, so a server cannot
lead the crawl off-site by spelling a host differently: `127.0.0.1.`, `2130706433`,
`0x7f.1`, `EXAMPLE.com`, `example.com:443` over https and an IDN in Unicode or punycode
all name one host each. A different port of the same host is another server (issue 19,
item 7) and is out of scope.

Pure functions: the spider's offsite middleware asks `Scope.check` for every request and
redirect hop, and records the reason of a refusal.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import SplitResult, unquote, urljoin, urlsplit

# Scrapy's URLLENGTH_LIMIT default (the old IE limit): longer URLs are traps or junk.
MAX_URL_LENGTH = 2083
DEFAULT_PORTS = {"http": 80, "https": 443}
# WHATWG URL: tab and newlines are removed anywhere, C0 controls and spaces trimmed.
_REMOVED = re.compile(r"[\t\n\r]")
_TRIMMED = "".join(chr(c) for c in range(0x21))
_SCHEME_SLASHES = re.compile(r"(?:(?P<scheme>https?):)?(?P<slashes>/*)(?P<rest>.*)", re.I | re.S)


class Origin(NamedTuple):
    scheme: str
    host: str
    port: int


@dataclass(frozen=True)
class Verdict:
    in_scope: bool
    reason: str | None = None  # why not: url_too_long, bad_url, bad_scheme, bad_host, bad_port, other_*

    def __bool__(self) -> bool:
        return self.in_scope


def browser_url(href: str, base: str | None = None) -> str:
    """`href` (a link or a `Location` header) resolved against `base` the way a browser
    does it for http(s): stray whitespace dropped and backslashes before the query read
    as slashes, so `http:\\\\evil.example\\x` and `\\\\evil.example/` lead where a browser goes,
    not to a path on the current host as `urljoin` alone would have it.
    Raises ValueError for what no browser resolves either (`http://[`)."""
    href = _REMOVED.sub("", href).strip(_TRIMMED)
    head, sep, tail = _split_query(href)
    href = _authority_slashes(head.replace("\\", "/"), base) + sep + tail
    return urljoin(base, href) if base else href


def _authority_slashes(head: str, base: str | None) -> str:
    """Browsers read any run of 2+ slashes as the start of a host (`///evil/` goes to
    `evil`), and `http:evil` on an https page as `http://evil`; urljoin reads a path."""
    match = _SCHEME_SLASHES.match(head)
    scheme, slashes, rest = match["scheme"], match["slashes"], match["rest"]
    base_scheme = urlsplit(base).scheme.lower() if base else ""
    if scheme and (scheme.lower() != base_scheme or len(slashes) >= 2):
        return f"{scheme}://{rest}"
    if not scheme and len(slashes) >= 2:
        return f"//{rest}"
    return head


def _split_query(href: str) -> tuple[str, str, str]:
    cut = min((i for i in (href.find("?"), href.find("#")) if i >= 0), default=-1)
    return (href, "", "") if cut < 0 else (href[:cut], href[cut], href[cut + 1:])


def normalize_host(host: str) -> str | None:
    """The canonical form of a host, or None when it is not a valid one: lowercase,
    percent-decoded, trailing dot gone, IPv4 in any WHATWG form as dotted decimal, IPv6
    compressed, IDN as punycode."""
    host = unquote(host).strip().lower().rstrip(".")
    if not host:
        return None
    if ":" in host:  # urlsplit's hostname drops an IPv6 literal's brackets
        try:
            return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]"
        except ValueError:
            return None
    if _ends_in_number(host):
        return _ipv4(host)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _ends_in_number(host: str) -> bool:
    """WHATWG "ends in a number": such a host must parse as IPv4 or is invalid."""
    last = host.split(".")[-1]
    return last.isdigit() or bool(re.fullmatch(r"0x[0-9a-f]*", last))


def _ipv4(host: str) -> str | None:
    """WHATWG IPv4 parser: 1-4 parts, each decimal, 0x hex or 0-led octal; the last part
    fills the remaining bytes (`127.1`, `2130706433`)."""
    try:
        parts = [_ipv4_number(p) for p in host.split(".")]
    except ValueError:
        return None
    if not 1 <= len(parts) <= 4 or any(p > 255 for p in parts[:-1]):
        return None
    if parts[-1] >= 256 ** (5 - len(parts)):
        return None
    value = parts[-1]
    for i, part in enumerate(parts[:-1]):
        value += part << (8 * (3 - i))
    return str(ipaddress.IPv4Address(value))


def _ipv4_number(part: str) -> int:
    if part[:2] == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8)
    if not part.isdigit():  # int() would take "+1", " 1", "1_0"
        raise ValueError(part)
    return int(part)


def origin(url: str) -> Origin | str:
    """The normalised origin of an absolute http(s) URL, or the reason it has none."""
    try:
        parts = urlsplit(browser_url(url))
    except ValueError:  # a bad IPv6 literal
        return "bad_url"
    return _origin(parts.scheme, parts.netloc)


@lru_cache(maxsize=4096)
def _origin(scheme: str, netloc: str) -> Origin | str:
    """Cached: a listing page's hundreds of links name a handful of hosts."""
    parts = SplitResult(scheme, netloc, "", "", "")
    try:
        port = parts.port
    except ValueError:  # not a number, or beyond 65535
        return "bad_port"
    scheme = scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return "bad_scheme"
    try:
        host = normalize_host(parts.hostname or "")
    except ValueError:  # a bad IPv6 literal
        return "bad_url"
    if host is None:
        return "bad_host"
    return Origin(scheme, host, port if port is not None else DEFAULT_PORTS[scheme])


class Scope:
    """In scope: the site URL's origin, plus `extra_hosts` (a bare host takes the site's
    scheme and port; a URL brings its own origin: `https://cdn.example:8443`)."""

    def __init__(self, site_url: str, extra_hosts: tuple[str, ...] | list[str] = (),
                 max_url_length: int = MAX_URL_LENGTH):
        home = origin(site_url)
        if isinstance(home, str):
            raise ValueError(f"site URL {site_url!r} has no valid origin ({home})")
        self.origins = {home} | {self._extra(home, h) for h in extra_hosts}
        self.hosts = {o.host for o in self.origins}
        self.max_url_length = max_url_length

    @staticmethod
    def _extra(home: Origin, declared: str) -> Origin:
        found = origin(declared if "://" in declared else f"{home.scheme}://{declared}")
        if isinstance(found, str):
            raise ValueError(f"declared host {declared!r} is not valid ({found})")
        if "://" not in declared:  # a bare host: the site's port, not the scheme's default
            found = found._replace(port=home.port)
        return found

    def check(self, url: str) -> Verdict:
        if len(url) > self.max_url_length:
            return Verdict(False, "url_too_long")
        found = origin(url)
        if isinstance(found, str):
            return Verdict(False, found)
        if found in self.origins:
            return Verdict(True)
        if found.host not in self.hosts:
            return Verdict(False, "other_host")
        if not any(o.host == found.host and o.scheme == found.scheme for o in self.origins):
            return Verdict(False, "other_scheme")
        return Verdict(False, "other_port")

    def in_scope(self, url: str) -> bool:
        return self.check(url).in_scope

    def check_redirect(self, from_url: str, location: str) -> Verdict:
        """A `Location` (or meta refresh target) resolved as a browser would, then checked."""
        try:
            return self.check(browser_url(location, from_url))
        except ValueError:
            return Verdict(False, "bad_url")
