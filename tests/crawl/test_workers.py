"""One crawl spread over several worker processes (`crawl --frontier redis://... --workers N`):
real worker processes, a real Redis (tests/redis_server.py), a real PostgreSQL
(tests/pg_server.py) and the fixture site served over HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from conftest import SITE, expected_articles, run_cli
from records import COMPARED, assert_matches_expected, stored
from sqlalchemy import create_engine, text

from drmcrawl.demo.server import FixtureServer
from drmcrawl.storage import Archive

HEARTBEAT = "0.5"  # seconds: a killed worker is found dead 1.5 s later
N = len(expected_articles())


def worker_env(prefix: str) -> dict:
    env = {**os.environ, "DRMCRAWL_FRONTIER_PREFIX": prefix, "DRMCRAWL_FRONTIER_HEARTBEAT": HEARTBEAT}
    env.pop("DRMCRAWL_DB", None)
    return env


def crawl_args(base_url: str, db: str, redis_url: str, run_name: str, *extra: str) -> list[str]:
    return ["crawl", "--base-url", base_url, "--db", db, "--frontier", redis_url, "--run-name", run_name, *extra]


def start_worker(args: list[str], prefix: str, cwd: Path, name: str) -> subprocess.Popen:
    """A worker in the background; its output in cwd/<name>.out and .err."""
    out, err = (open(cwd / f"{name}.{suffix}", "w") for suffix in ("out", "err"))
    return subprocess.Popen([sys.executable, "-m", "drmcrawl", *args], stdout=out, stderr=err, cwd=cwd,
                            env=worker_env(prefix), text=True)


def finish(process: subprocess.Popen, cwd: Path, name: str, timeout: float = 120) -> tuple[int, str, str]:
    code = process.wait(timeout=timeout)
    return code, (cwd / f"{name}.out").read_text(), (cwd / f"{name}.err").read_text()


def wait_for(condition, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def article_count(db_url: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("select count(*) from articles")).scalar_one()
    except Exception:  # noqa: BLE001 - the schema is not made yet
        return 0
    finally:
        engine.dispose()


def assert_every_article_once(db_url: str) -> None:
    archive = Archive(db_url)
    try:
        assert archive.count_articles() == N
    finally:
        archive.close()
    assert_matches_expected(stored(db_url))


def the_run(db_url: str):
    archive = Archive(db_url)
    try:
        runs = archive.runs()
        return runs, archive.run_workers(runs[0].id)
    finally:
        archive.close()


def no_traceback(*texts: str) -> None:
    for output in texts:
        assert "Traceback" not in output, output[-3000:]


def test_three_workers_store_every_article_once_with_exact_fields(site_server, postgres_url, frontier,
                                                                  crawled_archive, tmp_path):
    redis_url, prefix, _ = frontier
    result = run_cli(*crawl_args(site_server.url, postgres_url, redis_url, "three", "--workers", "3",
                                 "--delay", "0.02"), cwd=tmp_path, env=worker_env(prefix))
    assert result.returncode == 0, result.stdout + result.stderr
    no_traceback(result.stdout, result.stderr)
    assert_every_article_once(postgres_url)
    # The same records as an ordinary one-process crawl of the site.
    ordinary, shared = stored(crawled_archive), stored(postgres_url)
    assert sorted(ordinary) == sorted(shared)
    for post_id, record in ordinary.items():
        assert {k: shared[post_id][k] for k in COMPARED} == {k: record[k] for k in COMPARED}
    runs, workers = the_run(postgres_url)
    assert len(runs) == 1 and runs[0].status == "finished"
    assert runs[0].counts["articles_new"] == N
    assert len(workers) == 3 and {w["status"] for w in workers} == {"finished"}
    assert runs[0].counts["pages_fetched"] == sum(w["pages_fetched"] for w in workers)
    assert f"run {runs[0].id} (three): finished" in result.stdout
    # Each worker its own WARC files; one fetch index for all of them.
    warcs = sorted(p.name for p in (tmp_path / "data" / "warc").iterdir())  # db-drm-run1-<worker>-<time>-00001
    assert len({name.split("-")[3] for name in warcs}) == len([w for w in workers if w["pages_fetched"]]) > 1
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        fetches = connection.execute(text("select count(*), count(distinct warc_file) from fetches")).one()
    engine.dispose()
    assert fetches[0] == runs[0].counts["pages_fetched"] and fetches[1] == len(warcs)
    assert not list(frontier[2].scan_iter(match=f"{prefix}:three:*"))  # a finished run leaves no keys
    listing = run_cli("runs", "--db", postgres_url, cwd=tmp_path)
    assert listing.returncode == 0 and "run 'three', workers: " in listing.stdout
    assert listing.stdout.count(" finished ") >= 3


def test_a_worker_killed_with_sigkill_loses_nothing(site_server, postgres_url, frontier, tmp_path):
    redis_url, prefix, client = frontier
    args = crawl_args(site_server.url, postgres_url, redis_url, "killed", "--delay", "0.08")
    workers = {f"w{i}": start_worker(args, prefix, tmp_path, f"w{i}") for i in range(3)}
    lead = f"{prefix}:killed:drm:lead"
    wait_for(lambda: client.get(lead) is not None, what="a lead")
    lead_pid = int(client.get(lead).decode().rsplit("-", 1)[1])
    victim_name, victim = next((n, p) for n, p in workers.items() if p.pid != lead_pid)
    inflight = f"{prefix}:killed:drm:inflight:{socket.gethostname()}-{victim.pid}"
    wait_for(lambda: client.hlen(inflight) > 0 and article_count(postgres_url) >= 3, what="a lease")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for name, process in workers.items():
        if name != victim_name:
            code, out, err = finish(process, tmp_path, name)
            assert code == 0, out + err
            no_traceback(out, err)
    assert_every_article_once(postgres_url)
    runs, rows = the_run(postgres_url)
    assert len(runs) == 1 and runs[0].status == "finished"
    assert {w["worker"]: w["status"] for w in rows}[f"{socket.gethostname()}-{victim.pid}"] == "killed"
    logs = "".join((tmp_path / f"{n}.err").read_text() for n in workers if n != victim_name)
    assert "stopped answering" in logs and "queued again" in logs


def test_a_worker_joins_a_running_crawl(site_server, postgres_url, frontier, tmp_path):
    redis_url, prefix, _ = frontier
    args = crawl_args(site_server.url, postgres_url, redis_url, "join", "--delay", "0.15")
    first = start_worker(args, prefix, tmp_path, "first")
    wait_for(lambda: article_count(postgres_url) >= 1, what="the first article")
    late = start_worker(args, prefix, tmp_path, "late")
    for name, process in (("first", first), ("late", late)):
        code, out, err = finish(process, tmp_path, name)
        assert code == 0, out + err
        no_traceback(out, err)
    assert_every_article_once(postgres_url)
    runs, rows = the_run(postgres_url)
    assert len(runs) == 1 and runs[0].status == "finished" and len(rows) == 2
    late_row = next(w for w in rows if w["worker"].endswith(f"-{late.pid}"))
    assert late_row["pages_fetched"] > 0


class RecordingServer(FixtureServer):
    """The fixture site, noting when each request arrived (as the server saw it)."""

    def __init__(self, root: Path):
        super().__init__(root)
        seen = self.seen = []
        base = self.httpd.RequestHandlerClass

        class Handler(base):
            def do_GET(self):  # noqa: N802
                seen.append((time.monotonic(), self.path))
                super().do_GET()

        self.httpd.RequestHandlerClass = Handler


def test_three_workers_are_no_faster_on_the_host_than_one_and_obey_robots(postgres_database, frontier, tmp_path):
    import pg_server as postgres

    redis_url, prefix, _ = frontier
    delay = 0.08
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    banned = sorted(expected_articles())[0]
    robots = root / "robots.txt"
    robots.write_text(robots.read_text().replace("Disallow: /wp-admin/\n", f"Disallow: /wp-admin/\nDisallow: /{banned}\n"))
    rates, gaps = {}, {}
    for workers in (1, 3):
        name, db_url = postgres.new_schema(postgres_database)
        try:
            with RecordingServer(root) as server:
                result = run_cli(*crawl_args(server.url, db_url, redis_url, f"polite{workers}", "--workers",
                                             str(workers), "--delay", str(delay)), cwd=tmp_path, env=worker_env(prefix))
            assert result.returncode == 0, result.stdout + result.stderr
            times = sorted(t for t, _ in server.seen)
            rates[workers] = (len(times) - 1) / (times[-1] - times[0])
            gaps[workers] = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert not [path for _, path in server.seen if path.startswith(f"/{banned}")]
            assert sum(1 for _, path in server.seen if path == "/robots.txt") == workers  # each worker reads it
            assert len(stored(db_url)) == N - 1
        finally:
            postgres.drop_schema(postgres_database, name)
    # One worker sends at most one request per delay; on a loaded machine it may send fewer
    # (three workers fill each other's stalls), never three workers more than one may.
    assert rates[3] <= max(rates[1], 1 / delay) * 1.1, rates
    assert rates[3] <= 1.1 / delay, rates
    # Each request leaves when the delay has passed since the last one, whichever worker
    # sent it (on a loaded machine one may still reach the server a little late).
    assert min(gaps[3]) >= delay * 0.5, sorted(gaps[3])[:5]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_going_away_mid_crawl_stops_the_workers_clearly_and_loses_nothing(site_server, postgres_url,
                                                                                 frontier, tmp_path):
    _, prefix, _ = frontier
    server = shutil.which("redis-server")
    if server is None:
        import redis_server

        redis_server.unavailable("redis-server is not installed (this test starts one of its own to stop it)")
    port = free_port()
    redis = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis as redis_client

        client = redis_client.Redis(port=port)
        wait_for(lambda: _pings(client), what="the test's Redis")
        args = crawl_args(site_server.url, postgres_url, f"redis://127.0.0.1:{port}/0", "gone", "--delay", "0.08")
        workers = {f"w{i}": start_worker(args, prefix, tmp_path, f"w{i}") for i in range(2)}
        wait_for(lambda: article_count(postgres_url) >= 3, what="the first articles")
        redis.kill()
        redis.wait()
        for name, process in workers.items():
            code, out, err = finish(process, tmp_path, name)
            assert code == 1, out + err
            assert f"Error: crawl stopped: the frontier (Redis at redis://127.0.0.1:{port}/0) failed" in err, err
            no_traceback(out, err)
    finally:
        if redis.poll() is None:
            redis.kill()
    runs, rows = the_run(postgres_url)
    assert runs[0].status == "interrupted" and runs[0].finish_reason == "frontier_error"
    assert {w["finish_reason"] for w in rows} == {"frontier_error"}
    assert article_count(postgres_url) < N
    # Nothing lost: the next run (here without Redis) resumes the interrupted one.
    again = run_cli("crawl", "--base-url", site_server.url, "--db", postgres_url, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Resuming interrupted run" in again.stderr
    assert_every_article_once(postgres_url)


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:  # noqa: BLE001 - not up yet
        return False


def test_postgres_going_away_mid_crawl_stops_the_workers_clearly_and_the_run_completes_later(
        site_server, postgres_url, frontier, tmp_path):
    redis_url, prefix, _ = frontier
    args = crawl_args(site_server.url, postgres_url, redis_url, "pgdown", "--delay", "0.08")
    workers = {f"w{i}": start_worker(args, prefix, tmp_path, f"w{i}") for i in range(2)}
    wait_for(lambda: article_count(postgres_url) >= 3, what="the first articles")
    schema = postgres_url.split("search_path%3D")[-1].split("&")[0]
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:  # the workers' connections, as a server restart would
        killed = connection.execute(text(
            "select count(pg_terminate_backend(pid)) from pg_stat_activity "
            "where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'"
        )).scalar_one()
    engine.dispose()
    assert killed >= 2, schema
    for name, process in workers.items():
        code, out, err = finish(process, tmp_path, name)
        assert code == 1, out + err
        assert "Error: crawl stopped: database error" in err, err
        no_traceback(out, err)
    assert article_count(postgres_url) < N
    # Nothing lost: the unfinished requests wait in Redis; the same command resumes the run.
    again = run_cli(*args, cwd=tmp_path, env=worker_env(prefix))
    assert again.returncode == 0, again.stdout + again.stderr
    assert_every_article_once(postgres_url)
    runs, _ = the_run(postgres_url)
    assert len(runs) == 1 and runs[0].status == "finished"


def test_incremental_runs_with_workers_keep_versions_and_removals_as_with_one(postgres_url, frontier, tmp_path):
    """A second run (--full) after one article changed and one was deleted: the same
    versions, removal marks and 304s as two ordinary runs over the same site."""
    redis_url, prefix, _ = frontier
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    changed, deleted = "afghan-refugees-sim-blocking-pakistan-2025", "fia-told-to-stop-misuse-of-cybercrimes-law"
    sqlite_db = str(tmp_path / "one.sqlite")
    with FixtureServer(root) as server:
        for db, extra in ((sqlite_db, ()), (postgres_url, ("--frontier", redis_url, "--workers", "2"))):
            result = run_cli("crawl", "--base-url", server.url, "--db", db, *extra, cwd=tmp_path,
                             env=worker_env(prefix))
            assert result.returncode == 0, result.stdout + result.stderr
        page = root / changed / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "Authorities in Pakistan have begun blocking", "Authorities in Pakistan have now begun blocking"),
            encoding="utf-8")
        shutil.rmtree(root / deleted)
        for db, extra in ((sqlite_db, ()), (postgres_url, ("--frontier", redis_url, "--workers", "2"))):
            result = run_cli("crawl", "--base-url", server.url, "--db", db, "--full", *extra, cwd=tmp_path,
                             env=worker_env(prefix))
            assert result.returncode == 0, result.stdout + result.stderr

    def outcome(db: str) -> dict:
        archive = Archive(db)
        try:
            runs = archive.runs()
            last = runs[0].counts
            return {"runs": [r.status for r in runs],
                    "last": {k: last[k] for k in ("articles_new", "articles_updated", "articles_unchanged",
                                                  "not_modified", "articles_removed")},
                    "records": {r["url"].split("/", 3)[3]: _history(archive, r) for r in archive.iter_records()}}
        finally:
            archive.close()

    one, shared = outcome(sqlite_db), outcome(postgres_url)
    assert one == shared
    assert shared["last"]["articles_updated"] == 1 and shared["last"]["articles_removed"] == 1


def _history(archive, record: dict) -> tuple:
    history = archive.history(record["url"])
    return len(history.versions), history.removed_status, record["body"]


def test_workers_of_one_run_share_the_database_and_another_run_is_refused(site_server, postgres_url, frontier,
                                                                           tmp_path):
    from drmcrawl.crawl.frontier import claim_database, database_key
    from drmcrawl.storage import resolve_db_url

    redis_url, prefix, client = frontier
    db = resolve_db_url(postgres_url)
    assert claim_database(redis_url, prefix, "tonight", db) is None
    assert claim_database(redis_url, prefix, "tonight", db) is None  # its own workers: welcome
    assert claim_database(redis_url, prefix, "other", db) == "tonight"
    refused = run_cli(*crawl_args(site_server.url, postgres_url, redis_url, "other"), cwd=tmp_path,
                      env=worker_env(prefix))
    assert refused.returncode == 1
    assert "Error: another shared crawl (run 'tonight') is writing to this database" in refused.stderr
    no_traceback(refused.stderr)
    client.delete(database_key(prefix, db))


def test_several_workers_need_postgres_and_redis(tmp_path, frontier):
    redis_url, prefix, _ = frontier
    sqlite = run_cli("crawl", "--db", str(tmp_path / "a.sqlite"), "--frontier", redis_url, "--workers", "2",
                     env=worker_env(prefix))
    assert sqlite.returncode == 2 and "several workers need a PostgreSQL archive" in sqlite.stderr
    alone = run_cli("crawl", "--db", str(tmp_path / "a.sqlite"), "--workers", "2")
    assert alone.returncode == 2 and "--workers and --run-name need --frontier" in alone.stderr
    port = free_port()
    nothing = run_cli("crawl", "--base-url", "http://127.0.0.1:9", "--db", str(tmp_path / "b.sqlite"),
                      "--frontier", f"redis://127.0.0.1:{port}/0", env=worker_env(prefix))
    assert nothing.returncode == 1
    assert f"Error: the frontier at redis://127.0.0.1:{port}/0 cannot be reached" in nothing.stderr
    no_traceback(nothing.stderr)
