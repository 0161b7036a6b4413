"""Why a fetch failed, as a short stable reason stored with the failure and counted per run."""

from __future__ import annotations

# Exception class name -> reason. By name, so older Scrapy/Twisted versions without some
# of these classes still work.
_BY_CLASS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "DownloadCancelledError": "too_large",
    "ResponseDataLossError": "truncated",
    "DownloadConnectionRefusedError": "connection_refused",
    "ConnectionRefusedError": "connection_refused",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "DownloadFailedError": "connection_lost",
    "ConnectionLost": "connection_lost",
    "ConnectionDone": "connection_lost",
    "ResponseNeverReceived": "connection_lost",
    "ResponseFailed": "connection_lost",
}
# IgnoreRequest carries its cause only in the message. The scope's refusals first: their
# message names a URL, which may hold any of the words below.
_IGNORED = (
    ("url_too_long", "url_too_long"),
    ("offsite", "offsite"),
    ("robots.txt", "robots_txt"),
    ("max redirections", "redirect_loop"),
    ("DOWNLOAD_MAXSIZE", "too_large"),
    ("maxsize", "too_large"),
    ("allowed_domains", "offsite"),
)


def failure_reason(exc: BaseException, status: int | None = None) -> str:
    if status is not None:
        return f"http_{status}"
    name = type(exc).__name__
    if name == "IgnoreRequest":
        text = str(exc)
        return next((reason for needle, reason in _IGNORED if needle in text), "ignored")
    return _BY_CLASS.get(name, name)
