"""One crawl spread over several worker processes (or machines) through Redis: `drmcrawl
crawl --frontier redis://host:6379/0 --workers N [--run-name NAME]`.

What is shared, under `<prefix>:<run name>:<site>:`:
- `queue`: the article requests (scrapy-redis's priority queue, a sorted set), fetched by
  whichever worker pops them first;
- `dupefilter`: scrapy-redis's request fingerprint set;
- `inflight:<worker>`: each popped request stays here until the archive transaction holding
  its outcome has committed (a lease). A worker whose `alive:<worker>` key expired (killed,
  its machine gone) has its leases put back in the queue by the others (`reclaim`);
- `run_id`, `lead`, `discovered`, `workers`: the run row every worker writes to, the worker
  that created it and runs discovery (sitemaps, listings, due re-checks: one plan, so every
  article is requested once), whether discovery is over, who takes part.
`<prefix>:db:<hash of the database URL>` names the run crawling a database: a different
run is refused, like a second crawl by the file lock (crawl/lock.py).

Discovery stays in the lead's process (its requests never enter Redis): the sitemap plan,
the revisit plan and the listing's completeness are one process's state. If the lead dies
before discovery ends, the others finish what was queued and the next run's plan (built
from the archive) requests what was not stored: nothing is lost, it is late.

Why scrapy-redis for the queue and filter, not its spiders: its `RedisSpider` start path
is broken on Scrapy >= 2.16; its Scheduler, queues and dupefilter are plain Redis
structures that work on 2.19, and our spiders keep their `async start()`."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from drmcrawl.crawl.middlewares.warc import KIND_META

logger = logging.getLogger(__name__)

HEARTBEAT = 2.0  # seconds between a worker's signs of life; 3 missed and it is dead
PREFIX = "drmcrawl"
# Requests put back from a dead worker go before the rest of the queue.
RECLAIMED_SCORE = -1000
POLITE_LEASES = 2  # requests a worker of a crawl with a delay takes from the queue at a time

# Pops the first request and leases it to the worker, in one step: a kill between the pop
# and the lease would lose the request.
_POP = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local digest = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], digest, r[1])
return {r[1], digest}
"""
# A dead (or leaving) worker's leases back into the queue.
_RELEASE = """
local values = redis.call('HVALS', KEYS[1])
for _, v in ipairs(values) do redis.call('ZADD', KEYS[2], ARGV[1], v) end
redis.call('DEL', KEYS[1])
return #values
"""
# A host's turn: if `gap` seconds have passed since the last request any worker sent it,
# this one goes now (0 is returned and now is the last); otherwise the seconds to wait
# before asking again. Taken at the moment of sending, on Redis's clock: a worker that was
# slow to send after being told to go cannot bring two requests closer together.
_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local gap = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < last + gap then return string.format('%.6f', last + gap - now) end
redis.call('SET', KEYS[1], string.format('%.6f', now), 'PX', math.floor(gap * 1000) + 60000)
return '0'
"""
# The database is this run's if no other run holds it.
_CLAIM_DB = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false
"""


class FrontierError(Exception):
    """Redis cannot be reached or answered an error: the worker stops, saying so."""


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def _redis_errors():
    import redis

    return (redis.RedisError, OSError)


def connect(url: str, check: bool = True):
    """A client of the Redis at `url` (it connects on first use), checked with a ping."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
    if check:
        ping(client, url)
    return client


def ping(client, url: str) -> None:
    try:
        client.ping()
    except _redis_errors() as exc:
        raise FrontierError(f"the frontier at {_safe(url)} cannot be reached: {exc}") from None


def _safe(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def claim_database(url: str, prefix: str, run_name: str, db_url: str, ttl: int = 60) -> str | None:
    """None if the database is now this run's for `ttl` seconds (each worker's heartbeat
    renews it), else the name of the run that holds it."""
    client = connect(url)
    try:
        holder = client.eval(_CLAIM_DB, 1, database_key(prefix, db_url), run_name, ttl)
    except _redis_errors() as exc:
        raise FrontierError(f"the frontier at {_safe(url)} failed: {exc}") from None
    finally:
        client.close()
    return holder.decode() if holder else None


def database_key(prefix: str, db_url: str) -> str:
    return f"{prefix}:db:{hashlib.sha1(db_url.encode()).hexdigest()[:16]}"


class Frontier:
    """One worker's view of a shared crawl of one site (see the module's docstring)."""

    def __init__(self, url: str, run_name: str, site: str, db_url: str, prefix: str = PREFIX,
                 worker: str | None = None, heartbeat: float = HEARTBEAT):
        self.url, self.run_name, self.site = url, run_name, site
        self.prefix = prefix
        self.worker = worker or worker_name()
        self.heartbeat = heartbeat
        self.ttl_ms = int(heartbeat * 3000)
        self.base = f"{prefix}:{run_name}:{site}"
        self.db_key = database_key(prefix, db_url)
        self.redis = connect(url, check=False)
        self.run_id: int | None = None
        self.lead = False
        self._leases: dict[str, bytes] = {}  # first URL of a popped request -> its lease in inflight
        self._acks: list[bytes] = []  # leases whose outcome waits for the archive's commit
        self._pop = self._release = self._turn = None

    def key(self, *parts: str) -> str:
        return ":".join((self.base, *parts))

    @property
    def inflight(self) -> str:
        return self.key("inflight", self.worker)

    def open(self) -> None:
        ping(self.redis, self.url)
        self._pop = self.redis.register_script(_POP)
        self._release = self.redis.register_script(_RELEASE)
        self._turn = self.redis.register_script(_TURN)

    # -- joining and leaving -----------------------------------------------------
    def join(self, create_run: Callable[[], int], run_running: Callable[[int], bool], wait: float = 60.0) -> int:
        """The run id of the crawl this worker joins, creating the run (and leading it) if
        none is going. A run id left in Redis by a run that is over is cleared first."""
        deadline = time.monotonic() + wait
        # Alive before anything: a worker joining meanwhile must not take this one for dead.
        self.redis.set(self.key("alive", self.worker), 1, px=self.ttl_ms)
        while True:
            run_id = self.redis.get(self.key("run_id"))
            if run_id is not None:
                if run_running(int(run_id)):
                    self.run_id = int(run_id)
                    self.lead = self._take_over_discovery()
                    break
                logger.info("Run %s of %r is over: starting a new one", int(run_id), self.run_name)
                self.clear()
                continue
            if self.redis.set(self.key("lead"), self.worker, nx=True, ex=int(wait)):
                self.run_id = create_run()
                self.redis.set(self.key("run_id"), self.run_id)
                self.redis.persist(self.key("lead"))
                self.lead = True
                break
            if time.monotonic() > deadline:
                raise FrontierError(f"no run id for {self.run_name!r} after {wait:.0f} s: "
                                    f"the worker creating it ({self.redis.get(self.key('lead'))}) is stuck")
            time.sleep(0.1)
        with self.redis.pipeline() as pipe:
            pipe.sadd(self.key("workers"), self.worker)
            pipe.set(self.key("alive", self.worker), 1, px=self.ttl_ms)
            pipe.execute()
        return self.run_id

    def _take_over_discovery(self) -> bool:
        """Joining a run whose lead died before its discovery ended (every worker stopped,
        PostgreSQL was gone): this worker discovers again. The claimed article set keeps
        it from queueing what the first lead queued."""
        if self.redis.exists(self.key("discovered")):
            return False
        lead = self.redis.get(self.key("lead"))
        if lead is None or self.redis.exists(self.key("alive", lead.decode())):
            return False
        taken = self.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                "redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0",
                                1, self.key("lead"), lead, self.worker)
        if taken:
            logger.warning("The discovering worker %s is gone before discovery ended: %s discovers again",
                           lead.decode(), self.worker)
        return bool(taken)

    def claim(self, article_key: str) -> bool:
        """True if no worker of this run has queued the article yet (now this one has)."""
        return bool(self.redis.sadd(self.key("claimed"), article_key))

    def beat(self) -> None:
        with self.redis.pipeline() as pipe:
            pipe.set(self.key("alive", self.worker), 1, px=self.ttl_ms)
            pipe.expire(self.db_key, max(60, int(self.heartbeat * 10)))
            pipe.execute()

    def leave(self) -> bool:
        """This worker stops: its leases not yet acknowledged go back to the queue (the
        others, or the next worker to join, crawl them). True if it was the last."""
        self._release(keys=[self.inflight, self.key("queue")], args=[RECLAIMED_SCORE])
        with self.redis.pipeline() as pipe:
            pipe.srem(self.key("workers"), self.worker)
            pipe.delete(self.key("alive", self.worker))
            pipe.scard(self.key("workers"))
            *_, left = pipe.execute()
        return left == 0

    def clear(self) -> None:
        """Every key of this run (it is over), and its hold on the database."""
        keys = list(self.redis.scan_iter(match=f"{self.base}:*", count=500))
        if keys:
            self.redis.delete(*keys)
        if self.redis.get(self.db_key) == self.run_name.encode():
            self.redis.delete(self.db_key)

    def close(self) -> None:
        self.redis.close()

    # -- the others --------------------------------------------------------------
    def reclaim(self) -> list[str]:
        """Workers whose heartbeat expired: their leases go back to the queue and they
        leave the run. Returns their names."""
        dead = []
        for member in self.redis.smembers(self.key("workers")):
            worker = member.decode()
            if worker == self.worker or self.redis.exists(self.key("alive", worker)):
                continue
            moved = self._release(keys=[self.key("inflight", worker), self.key("queue")], args=[RECLAIMED_SCORE])
            self.redis.srem(self.key("workers"), worker)
            dead.append(worker)
            logger.warning("Worker %s stopped answering: %d requests it had taken are queued again", worker, moved)
        if not self.redis.exists(self.key("discovered")):
            lead = self.redis.get(self.key("lead"))
            if lead is not None and lead.decode() in dead:
                logger.warning("The discovering worker %s died: what it had not discovered is left to the "
                               "next run", lead.decode())
                self.discovery_done()
        return dead

    def discovery_done(self) -> None:
        self.redis.set(self.key("discovered"), 1)

    def finished(self) -> bool:
        """Discovery is over, the queue is empty and no worker holds a lease."""
        if not self.redis.exists(self.key("discovered")) or self.redis.zcard(self.key("queue")):
            return False
        workers = [m.decode() for m in self.redis.smembers(self.key("workers"))] + [self.worker]
        return not any(self.redis.hlen(self.key("inflight", w)) for w in set(workers))

    # -- leases ------------------------------------------------------------------
    def pop(self) -> bytes | None:
        found = self._pop(keys=[self.key("queue"), self.inflight])
        if not found:
            return None
        data, lease = found
        return data, lease

    def leased(self, first_url: str, lease: bytes) -> None:
        """A popped request's lease; a redirect or retry of an earlier one replaces its lease."""
        old = self._leases.get(first_url)
        self._leases[first_url] = lease
        if old is not None and old != lease:
            self.redis.hdel(self.inflight, old)

    def done(self, first_url: str) -> None:
        """The outcome of a request is written (not yet committed)."""
        lease = self._leases.pop(first_url, None)
        if lease is not None:
            self._acks.append(lease)

    @property
    def leases(self) -> int:
        """Requests this worker popped and has not finished."""
        return len(self._leases)

    @property
    def waiting_acks(self) -> bool:
        return bool(self._acks)

    def forget_acks(self) -> None:
        """The transaction was rolled back: the requests done in it keep their leases (and
        are fetched again when this worker leaves)."""
        self._acks = []

    def committed(self) -> None:
        """The archive committed: the leases of requests done before are released."""
        acks, self._acks = self._acks, []
        if acks:
            self.redis.hdel(self.inflight, *acks)

    def host_turn(self, host: str, gap: float) -> float:
        """0 if this worker may send `host` a request now (it is then counted as sent),
        else the seconds to wait before asking again."""
        return float(self._turn(keys=[f"{self.prefix}:host:{host}"], args=[gap]))


class LeasedQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop leases the request to this worker."""

    frontier: Frontier

    def pop(self, timeout=0):
        found = self.frontier.pop()
        if found is None:
            return None
        data, lease = found
        request = self._decode_request(data)
        self.frontier.leased(first_url(request), lease)
        return request


def first_url(request) -> str:
    return (request.meta.get("redirect_urls") or [request.url])[0]


class FrontierScheduler(Scheduler):
    """Article requests go through Redis (shared by the workers); discovery requests stay in
    this process's own priority queue, ahead of articles, so the lead keeps the others fed."""

    def __init__(self, crawler, frontier: Frontier):
        super().__init__(server=frontier.redis, persist=True, queue_key=frontier.key("queue"),
                         queue_cls=f"{__name__}.LeasedQueue",
                         dupefilter=RFPDupeFilter(frontier.redis, frontier.key("dupefilter")))
        self.crawler = crawler
        self.frontier = frontier
        self.stats = crawler.stats
        self._local: list = []
        self._order = count()
        # Leases this worker holds at most. With a delay the host's slots are spaced out
        # anyway: a worker holding many would only keep them from the others. Without one
        # (a mirror) it takes as much as it can fetch.
        settings = crawler.settings
        self.max_leases = (min(POLITE_LEASES, settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
                           if settings.getfloat("DRMCRAWL_HOST_DELAY") > 0 else settings.getint("CONCURRENT_REQUESTS"))
        # The engine looks for work every 5 s when it has none; a worker waiting on the
        # others' discovery looks more often.
        crawler.engine._SLOT_HEARTBEAT_INTERVAL = min(0.5, frontier.heartbeat)

    @classmethod
    def from_crawler(cls, crawler):
        from drmcrawl.crawl.session import CrawlSession

        return cls(crawler, CrawlSession.of(crawler).frontier)

    def open(self, spider):
        self.spider = spider
        self.queue = LeasedQueue(server=self.server, spider=spider, key=self.queue_key)
        self.queue.frontier = self.frontier

    def close(self, reason):
        pass  # the queue outlives this worker (persist)

    def __len__(self):
        return len(self._local) + self._shared()

    def _shared(self) -> int:
        try:
            return len(self.queue)
        except _redis_errors() as exc:
            self._failed(exc)
            return 0

    def _failed(self, exc) -> None:
        from drmcrawl.crawl.session import CrawlSession

        CrawlSession.of(self.crawler).frontier_failed(exc)

    def enqueue_request(self, request):
        try:
            if not request.dont_filter and self.df.request_seen(request):
                return False
            if request.meta.get(KIND_META) != "article":
                heappush(self._local, (-request.priority, next(self._order), request))
                return True
            self.queue.push(request)
            return True
        except _redis_errors() as exc:
            self._failed(exc)
            return False

    def next_request(self):
        if self._local:
            return heappop(self._local)[2]
        if self.frontier.leases >= self.max_leases:
            return None
        try:
            return self.queue.pop()
        except _redis_errors() as exc:
            self._failed(exc)
            return None

    def has_pending_requests(self):
        return bool(self._local) or self._shared() > 0
