"""Site health: per run and site, the share of articles with each field filled, the article
and non-article counts and the median body length; and the alarm when a site's layout
changed (a field's fill rate or the article count falls sharply against its previous runs).

Computed at the end of a run over the site's articles as they stand after it: every
article this run saw (new, updated, unchanged, 304), so a changed template shows even when
the pages' URLs did not change."""

from __future__ import annotations

import statistics

from drmcrawl.sites.probe import HEALTH_FIELDS, Filled, fill_rates

# A fall by more than this share (absolute) against the baseline is an alarm...
DROP = 0.3
# ...and so is an article count below this fraction of the baseline's.
COUNT_FALL = 0.5
# The baseline: the median of up to this many previous runs of the site that had at least
# MIN_ARTICLES articles (fewer is too few to tell a layout change from chance).
BASELINE_RUNS = 5
MIN_ARTICLES = 5


def run_health(archive, site: str, run_id: int, non_articles: int = 0, requested: int = 0) -> dict:
    """The health of `site` after run `run_id` (articles not marked removed whose last run
    it is); `non_articles`: answers to article requests that were navigation; `requested`:
    article pages the run asked for."""
    from sqlalchemy import func, select

    from drmcrawl.extract.body import word_count
    from drmcrawl.storage.models import Article, ArticleAuthor, ArticleTag

    authors = select(func.count()).where(ArticleAuthor.article_id == Article.id).scalar_subquery()
    tags = select(func.count()).where(ArticleTag.article_id == Article.id).scalar_subquery()
    with archive.session() as s:
        rows = s.execute(
            select(Article.title, authors, Article.published_utc, tags, Article.word_count, Article.id)
            .where(Article.site == site, Article.last_run_id == run_id, Article.removed_at.is_(None))).all()
        found = []
        for title, n_authors, published, n_tags, words, article_id in rows:
            if words is None:  # an article stored by a version that did not count words
                words = word_count(s.scalar(select(Article.body).where(Article.id == article_id)))
            found.append(Filled(bool(title), bool(n_authors), published is not None, bool(n_tags), words))
    health = fill_rates(found)
    health["non_articles"] = non_articles
    health["requested"] = requested
    return health


def baseline(previous: list[dict]) -> dict | None:
    """Median fill rates and article count of the previous runs' health (newest first) that
    had enough articles; None when there is none."""
    usable = [h for h in previous if h and (h.get("articles") or 0) >= MIN_ARTICLES][:BASELINE_RUNS]
    if not usable:
        return None
    fill = {}
    for name in HEALTH_FIELDS:
        values = [h["fill"][name] for h in usable if (h.get("fill") or {}).get(name) is not None]
        fill[name] = statistics.median(values) if values else None
    return {"articles": statistics.median(h["articles"] for h in usable), "fill": fill, "runs": len(usable)}


def alarms(current: dict, previous: list[dict]) -> list[dict]:
    """What fell sharply in `current` against `previous` (health dicts, newest first).

    A fall is an alarm when the value is below the baseline (the median of up to 5 previous
    runs with enough articles) by more than DROP (a fill rate) or under half of it (the
    article count), and it fell in this run: the run just before was not already as low
    (a site that stays changed is reported once, on the run that showed the change).
    Fill rates are judged on runs with enough articles; the article count only when the run
    asked for at least as many pages as the baseline found articles (an incremental run
    that fetched 20 new articles is not a fall from 1,000)."""
    base = baseline(previous)
    if base is None:
        return []
    last = next((h for h in previous if h and (h.get("articles") or 0) >= MIN_ARTICLES), None)
    found = []
    articles = current.get("articles") or 0
    if (current.get("requested") or 0) >= base["articles"] and articles < COUNT_FALL * base["articles"] and (
            last is None or articles < COUNT_FALL * last["articles"]):
        found.append({"field": "articles", "now": articles, "before": base["articles"]})
    if articles < MIN_ARTICLES:
        return found
    for name in HEALTH_FIELDS:
        now, before = (current.get("fill") or {}).get(name), base["fill"].get(name)
        if now is None or before is None or before - now <= DROP:
            continue
        just_before = ((last or {}).get("fill") or {}).get(name)
        if just_before is not None and just_before - now <= DROP:
            continue  # fell earlier, already reported
        found.append({"field": name, "now": now, "before": before})
    return found


def alarm_text(alarm: dict) -> str:
    if alarm["field"] == "articles":
        return f"articles {alarm['now']} (before: {alarm['before']:g})"
    return f"{alarm['field']} {round(alarm['now'] * 100)}% (before: {round(alarm['before'] * 100)}%)"


def health_line(site: str, health: dict | None) -> str | None:
    """The summary's `health:` line for a site whose run raised alarms (None: nothing fell)."""
    if not health or not health.get("alarms"):
        return None
    falls = "; ".join(alarm_text(a) for a in health["alarms"])
    return f"health: {site}: layout change? {falls}"


def session_health(session, counts: dict) -> dict | None:
    """The health of a crawl session's run, with its alarms against the site's previous runs
    (stored with the run; None if it could not be computed: the run is stored anyway)."""
    import logging

    try:
        site, run_id = session.site.name, session.run_id
        health = run_health(session.archive, site, run_id, sum(session.non_articles.values()),
                            len(session.plan.requested))
        previous = [r.health for r in session.archive.site_runs(site, limit=BASELINE_RUNS * 4, before=run_id)
                    if r.status == "finished" and r.health]
        health["alarms"] = alarms(health, previous)
        if health["alarms"]:
            logging.getLogger(__name__).warning(health_line(site, health))
        return health
    except Exception:  # noqa: BLE001 - the health reading must never lose the run
        logging.getLogger(__name__).exception("Could not compute the site's health")
        return None
