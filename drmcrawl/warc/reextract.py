"""Re-run the current extractor over archived WARC responses: no network.

For every article URL that answered 200, its newest archived payload is read back from
WARC (content decoding undone, as Scrapy would), decoded to text exactly as during a crawl
(Scrapy's response classes pick the encoding the same way) and extracted again. The
archive stores a new version only where the output changed."""

from __future__ import annotations

import logging
import pickle
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from drmcrawl import sites
from drmcrawl.extract import NotAnArticle, extract
from drmcrawl.provenance import EXTRACTOR_VERSION
from drmcrawl.urls import url_key
from drmcrawl.warc.records import read_record

logger = logging.getLogger(__name__)

SAVE_BATCH = 200


@dataclass
class ReextractResult:
    run_id: int
    read: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return self.outcomes.get("updated", 0) + self.outcomes.get("new", 0)


def reextract(archive, warc_dir: Path, since: datetime | None = None, site: str | None = None) -> ReextractResult:
    settings = {"since": since.isoformat() if since else None, "site": site, "warc_dir": str(warc_dir),
                "extractor_version": EXTRACTOR_VERSION}
    run_id = archive.start_run("reextract", None, settings, trigger="reextract")
    try:
        return _reextract(archive, warc_dir, since, site, ReextractResult(run_id))
    except BaseException as exc:  # the run is not left "running": failed, with the reason
        reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"error: {type(exc).__name__}: {exc}"[:200]
        try:
            archive.finish_run(run_id, "failed", reason, {})
        except Exception:  # the database itself is the problem (full disk): the next crawl recovers the run
            logger.error("Could not mark re-extraction run %s failed", run_id)
        raise


def _reextract(archive, warc_dir: Path, since: datetime | None, site: str | None,
               result: ReextractResult) -> ReextractResult:
    run_id = result.run_id
    with tempfile.TemporaryFile() as spill:
        # The articles wait on disk, not in memory (an archive of 20,000 held 300 MB):
        # only the newest copy of each is stored, and which one that is shows at the end.
        newest: dict[object, tuple[int, int]] = {}  # article identity -> (fetch id, offset in spill)
        for fetch in archive.article_payload_fetches(since, site, _is_article_page):
            result.read += 1
            article = _extract(archive, warc_dir, fetch, run_id)
            if isinstance(article, str):
                result.failed[article] = result.failed.get(article, 0) + 1
                continue
            identity = article.post_id or url_key(article.canonical_url or article.url)
            if identity in newest:  # the same article under another URL (shortlink, renamed slug)
                result.outcomes["older_copy"] = result.outcomes.get("older_copy", 0) + 1
            newest[identity] = (fetch.id, spill.tell())
            pickle.dump(article, spill, protocol=pickle.HIGHEST_PROTOCOL)
        order = sorted(newest.values())
        for start in range(0, len(order), SAVE_BATCH):
            with archive.batch():  # one transaction per batch: a commit per article dominated
                for fetch_id, offset in order[start:start + SAVE_BATCH]:
                    spill.seek(offset)
                    outcome = archive.save_article(pickle.load(spill), run_id, fetch_id=fetch_id,
                                                   extractor_version=EXTRACTOR_VERSION, seen=False)
                    result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1
    counts = {"articles_new": result.outcomes.get("new", 0), "articles_updated": result.outcomes.get("updated", 0),
              "articles_unchanged": result.outcomes.get("unchanged", 0),
              "articles_failed": sum(result.failed.values()), "failed_by_reason": result.failed}
    archive.finish_run(run_id, "finished", "finished", counts)
    return result


def _extract(archive, warc_dir: Path, fetch, run_id: int):
    """The article extracted from the archived response, or the failure reason (recorded)."""
    try:
        archived = read_record(warc_dir / fetch.warc_file, fetch.warc_offset)
        response = _response(archived)
    except Exception as exc:  # missing or damaged WARC file (UnreadableRecord), headers Scrapy refuses
        return _failed(archive, run_id, fetch.final_url, "warc_unreadable",
                       f"{fetch.warc_file} at {fetch.warc_offset}: {exc}")
    if not isinstance(response, TextResponse):
        return _failed(archive, run_id, fetch.final_url, "not_html", response.headers.get("Content-Type", b"").decode())
    try:
        article = extract(response.text, response.url, profile=_profile_of(fetch.site))
    except NotAnArticle as exc:
        return _failed(archive, run_id, fetch.final_url, "not_an_article", str(exc))
    except Exception as exc:  # one bad page must not stop the run
        logger.exception("Extraction failed for %s", fetch.final_url)
        return _failed(archive, run_id, fetch.final_url, "extract_error", repr(exc))
    if not (article.url and article.title and article.body):
        return _failed(archive, run_id, fetch.final_url, "invalid_article", "no url, title or body")
    return article


def _response(archived):
    headers = Headers(archived.headers)
    headers.pop(b"Content-Encoding", None)  # the body read back is already decoded
    cls = responsetypes.from_args(headers=headers, url=archived.url, body=archived.body)
    return cls(url=archived.url, status=archived.status, headers=headers, body=archived.body)


def _failed(archive, run_id: int, url: str, reason: str, detail: str) -> str:
    archive.record_failure(run_id, url, reason, detail[:500])
    logger.warning("Re-extraction failed for %s: %s", url, reason)
    return reason


def _declaration(site_name: str | None):
    try:
        return sites.get(site_name) if site_name else None
    except KeyError:  # archived by a site no longer declared: extracted generically
        return None


def _is_article_page(fetch) -> bool:
    site = _declaration(fetch.site)
    return site is None or site.is_article_url(fetch.final_url)


def _profile_of(site_name: str | None) -> str | None:
    site = _declaration(site_name)
    return site.profile if site else None
