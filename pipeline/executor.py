"""Where the per-article work runs: in this process, in local worker processes, or on a Dask
cluster. Every executor maps a function over batches and yields the results in batch order,
so the tables do not depend on where the work ran. Batches are taken from their iterable only
a few at a time (two per worker ahead), so a long run never holds the whole corpus.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from pipeline.config import Config
from pipeline.errors import ConfigError

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
EXECUTORS = ("local", "dask")
#: Batches sent ahead per worker: enough to keep it busy, few enough to bound memory.
AHEAD = 2
#: How often a worker process checks that the main process still runs (seconds).
WATCH_SECONDS = 0.5


def worker_count(config: Config) -> int:
    return config.workers if config.workers > 0 else (os.cpu_count() or 1)


class Executor:
    """Use as a context manager around a run's stages; worker processes (or the Dask client)
    start on first need, as many as the work is worth, and serve the stages after it until
    `release()`, loading their pipelines once."""

    def __init__(self, config: Config) -> None:
        if config.executor not in EXECUTORS:
            raise ConfigError(f"executor={config.executor!r} is not one of {list(EXECUTORS)}")
        if config.executor == "dask" and not config.scheduler:
            raise ConfigError("executor 'dask' needs a scheduler address, e.g. tcp://host:8786")
        self.config = config
        self.pool: ProcessPoolExecutor | None = None
        self.workers = 1
        self.client: Any = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def release(self) -> None:
        """Stop the worker processes (and what they hold, such as pipelines) or the Dask
        client; a later map starts them again."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
        if self.client is not None:
            self.client.close()
            self.client = None

    def map(
        self, fn: Callable[[Item], Result], batches: Iterable[Item], n_batches: int
    ) -> Iterator[Result]:
        """fn over `n_batches` batches, results in batch order."""
        if self.config.executor == "dask":
            client = self.dask_client()
            log.info(
                "sending %d batches to the Dask scheduler %s", n_batches, self.config.scheduler
            )
            window = AHEAD * max(1, sum(client.nthreads().values()))
            yield from bounded(lambda item: client.submit(fn, item, pure=False), batches, window)
            return
        # A worker process spends seconds loading its pipelines: worth it from two batches each.
        workers = min(worker_count(self.config), n_batches // 2)
        if workers <= 1 and self.pool is None:
            yield from map(fn, batches)
            return
        pool = self.local_pool(workers)
        yield from bounded(lambda item: pool.submit(fn, item), batches, AHEAD * self.workers)

    def local_pool(self, workers: int) -> ProcessPoolExecutor:
        """The worker processes, at least `workers` of them (a smaller pool is replaced)."""
        if self.pool is None or workers > self.workers:
            self.release()
            self.workers = max(2, workers)
            log.info("working with %d worker processes", self.workers)
            context = multiprocessing.get_context("forkserver")
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=end_with,
                initargs=(os.getpid(), process_identity(os.getpid())),
            )
        return self.pool

    def dask_client(self) -> Any:
        if self.client is None:
            from distributed import Client  # only needed for scale-out

            self.client = Client(self.config.scheduler, set_as_default=False)  # type: ignore[no-untyped-call]
        return self.client


def process_identity(pid: int) -> str | None:
    """The start time of a running process (so that a reused pid is not taken for it), or None
    when it has ended (or is a zombie). Where /proc is missing, whether the pid exists."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        fields = stat.rsplit(")", 1)[1].split()
    except FileNotFoundError:
        if Path("/proc/self").is_dir():
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            pass
        return "alive"
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def end_with(pid: int, identity: str | None) -> None:
    """Worker initializer: end this worker process when the main process `pid` ends, even by
    kill -9 (which gives it no chance to stop its workers). Worker processes are children of
    the forkserver, not of the main process, so a parent-death signal would not reach them;
    a watching thread does."""

    def watch() -> None:
        while process_identity(pid) == identity:
            time.sleep(WATCH_SECONDS)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="end-with-main", daemon=True).start()


def bounded(submit: Callable[[Item], Any], items: Iterable[Item], window: int) -> Iterator[Any]:
    """Submit items (to anything whose futures have `result()`) keeping at most `window`
    unfinished, and yield the results in order."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(submit(item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
