"""Scope: scheme + host + port after normalisation (issue 19 items 7 and 10)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drmcrawl.sites.scope import MAX_URL_LENGTH, Scope, browser_url, normalize_host, origin

SITE = Scope("http://127.0.0.1:8000/")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/post/",
    "http://127.0.0.1.:8000/post/",  # trailing dot
    "http://2130706433:8000/post/",  # integer IPv4
    "http://0x7f.0.0.1:8000/post/",  # hex part
    "http://0177.0.0.1:8000/post/",  # octal part
    "http://0x7f000001:8000/",
    "http://127.1:8000/",  # last part fills the remaining bytes
    "HTTP://127.0.0.1:8000/",
    "http://user:pw@127.0.0.1:8000/",
    "http://%31%32%37.0.0.1:8000/",  # percent-encoded host
    "http://127.0.0.1%2e:8000/",
    "http://127.0.0.1:80\n00/",  # newlines and tabs are dropped anywhere
    "http://127.0.0.1:8000\\@evil.example/",  # host ends at the backslash, as in a browser
])
def test_same_origin_in_any_spelling(url):
    assert SITE.check(url).in_scope, url


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:8001/post/", "other_port"),
    ("http://127.0.0.1.:9000/", "other_port"),
    ("http://2130706433:8001/", "other_port"),
    ("http://127.0.0.1/", "other_port"),  # default port 80 is not 8000
    ("https://127.0.0.1:8000/", "other_scheme"),
    ("http://127.0.0.2:8000/", "other_host"),
    ("http://localhost:8000/", "other_host"),
    ("http://127.0.0.1:8000@evil.example:8000/", "other_host"),  # userinfo trick
    ("http://evil.example\\@127.0.0.1:8000/", "other_host"),  # a browser reads the backslash as /: host evil.example
    ("http://127.0.0.1:99999/", "bad_port"),
    ("http://127.0.0.1:abc/", "bad_port"),
    ("http://[::1/", "bad_url"),
    ("ftp://127.0.0.1:8000/", "bad_scheme"),
    ("javascript:alert(1)", "bad_scheme"),
    ("http://256.0.0.1:8000/", "bad_host"),
    ("http://1.2.3.4.5:8000/", "bad_host"),
    ("http://0x100000000:8000/", "bad_host"),
    ("http://a..b:8000/", "bad_host"),
    ("http:///127.0.0.2:8000/x", "other_host"),  # extra slashes: still a host, as in a browser
])
def test_out_of_scope_with_reason(url, reason):
    verdict = SITE.check(url)
    assert not verdict and verdict.reason == reason, (url, verdict)


def test_url_too_long():
    url = "http://127.0.0.1:8000/" + "a" * MAX_URL_LENGTH
    assert SITE.check(url).reason == "url_too_long"
    assert Scope("http://127.0.0.1:8000/", max_url_length=10_000).in_scope(url)


def test_default_ports_fold_and_host_normalises():
    scope = Scope("https://Example.COM./news/")
    assert scope.in_scope("https://example.com:443/a")
    assert scope.in_scope("https://EXAMPLE.com/a")
    assert scope.check("https://example.com:8443/a").reason == "other_port"
    assert scope.check("http://example.com/a").reason == "other_scheme"


def test_idn_unicode_and_punycode_are_one_host():
    scope = Scope("https://bücher.example/")
    assert scope.in_scope("https://xn--bcher-kva.example/x")
    assert scope.in_scope("https://BÜCHER.example/x")
    assert normalize_host("bücher.example.") == "xn--bcher-kva.example"


def test_ipv6_compressed():
    scope = Scope("http://[::1]:8000/")
    assert scope.in_scope("http://[0:0:0:0:0:0:0:1]:8000/")
    assert scope.check("http://[::2]:8000/").reason == "other_host"


def test_declared_hosts():
    scope = Scope("https://example.com/", ["www.example.com", "https://cdn.example.net:8443"])
    assert scope.in_scope("https://www.example.com/a")
    assert scope.in_scope("https://cdn.example.net:8443/a")
    assert scope.check("https://cdn.example.net/a").reason == "other_port"
    assert scope.check("https://other.example.com/").reason == "other_host"
    with pytest.raises(ValueError):
        Scope("https://example.com/", ["exa mple..com"])
    with pytest.raises(ValueError):
        Scope("not a url")


@pytest.mark.parametrize("location, target", [
    ("/\\\\evil.example\\x", "http://evil.example/x"),
    ("\\\\evil.example\\x", "http://evil.example/x"),
    ("http:\\\\evil.example\\x", "http://evil.example/x"),
    ("///evil.example/x", "http://evil.example/x"),
    ("https:evil.example/x", "https://evil.example/x"),  # another scheme: an authority follows
    ("http:x/y", "http://127.0.0.1:8000/post/x/y"),  # same scheme, no slashes: relative
    ("/a\\b?q=\\z", "http://127.0.0.1:8000/a/b?q=\\z"),  # the query keeps its backslash
    (" \t/a\n/b ", "http://127.0.0.1:8000/a/b"),
])
def test_backslash_locations_resolve_as_browsers_do(location, target):
    assert browser_url(location, "http://127.0.0.1:8000/post/") == target


def test_backslash_redirect_is_offsite():
    verdict = SITE.check_redirect("http://127.0.0.1:8000/post/", "/\\\\evil.example\\")
    assert verdict.reason == "other_host"
    assert SITE.check_redirect("http://127.0.0.1:8000/post/", "\\other\\path").in_scope
    assert SITE.check_redirect("http://127.0.0.1:8000/post/", "http://127.0.0.1.:8001/").reason == "other_port"


def test_origin_of_bad_input_never_raises():
    for junk in ["", "http://", "http://[", "http://%zz/", "http://a..b/", "::::", "http://" + "a" * 70 + ".com/"]:
        assert isinstance(origin(junk), (str, tuple))


def test_sites_package_is_pure():
    """drmcrawl/sites/ and the page classifier run without Scrapy, Twisted or a database."""
    import subprocess
    import sys

    code = ("import sys, drmcrawl.sites.scope, drmcrawl.sites.sitemaps, drmcrawl.sites.feeds, "
            "drmcrawl.sites.listings, drmcrawl.sites.urlshapes, drmcrawl.extract.pagetype;"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'scrapy', 'twisted', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unparseable_location_is_refused_not_raised():
    assert SITE.check_redirect("http://127.0.0.1:8000/a", "http://[").reason == "bad_url"
    with pytest.raises(ValueError):
        browser_url("http://[", "http://127.0.0.1:8000/")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_check_never_raises(path, location):
    for url in (path, f"http://{path}/", f"http://127.0.0.1:8000/{path}"):
        assert isinstance(SITE.check(url).in_scope, bool)
    assert isinstance(SITE.check_redirect("http://127.0.0.1:8000/a", location).in_scope, bool)
