"""Jobs the crawl hands to its extraction workers for one answer (no Scrapy here).

An article page is both archived and extracted: one job does both, so its 100 KB body
crosses to the worker once (`python benchmarks/micro.py ipc` measures a crossing: 0.46 ms
of the crawl's CPU when this was written, 0.056 ms with the pipes of `extract/pool.py`)."""

from __future__ import annotations

from drmcrawl.archive.content import content_digest
from drmcrawl.archive.recorder import header_values
from drmcrawl.archive.warc import BuiltPair, Exchange, build_response_pair
from drmcrawl.extract import Article
from drmcrawl.extract.pool import extract_response


def records_and_article(answer: Exchange, gzip_level: int | None, profile: str | None
                        ) -> tuple[BuiltPair | None, Article | Exception, str | None]:
    """Its WARC records (None without a `gzip_level`: the crawl builds them); its
    extraction or the exception extraction raised (the spider handles that as if it had
    extracted the page itself); and the extraction's `content_digest` (what storing it
    compares versions by), computed here too."""
    built = None if gzip_level is None else build_response_pair(answer, None, gzip_level)
    digest = None
    try:
        content_type = header_values(answer).get("content_type", "")
        extracted: Article | Exception = extract_response(answer.body, content_type, answer.url, profile)
        digest = content_digest(extracted.to_record())
    except Exception as exc:  # noqa: BLE001 (a bad page is the spider's to record)
        extracted = exc
    return built, extracted, digest


def content_encoded(answer: Exchange) -> bool:
    """Sent compressed: Scrapy decodes it after the archive middleware, so the body here
    is not yet what extraction needs."""
    return any(name.lower() == "content-encoding" and value.strip().lower() not in ("", "identity")
               for name, value in answer.response_headers)
