"""Where the per-article work runs: in this process, in local worker processes, or on a Dask
cluster. Every executor maps a function over batches and yields the results in batch order,
so the tables do not depend on where the work ran.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from pipeline.config import Config
from pipeline.errors import ConfigError

log = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")
EXECUTORS = ("local", "dask")


def worker_count(config: Config) -> int:
    return config.workers if config.workers > 0 else (os.cpu_count() or 1)


@contextmanager
def mapper(
    config: Config, n_batches: int
) -> Iterator[Callable[[Callable[[Item], Result], Iterable[Item]], Iterator[Result]]]:
    """A map function for `n_batches` batches of work, chosen by `config.executor`."""
    if config.executor == "dask":
        if not config.scheduler:
            raise ConfigError("executor 'dask' needs a scheduler address, e.g. tcp://host:8786")
        from distributed import Client  # only needed for scale-out

        client: Any = Client(config.scheduler, set_as_default=False)  # type: ignore[no-untyped-call]
        with client:
            log.info("sending %d batches to the Dask scheduler %s", n_batches, config.scheduler)

            def dask_map(fn: Callable[[Item], Result], items: Iterable[Item]) -> Iterator[Result]:
                futures = client.map(fn, list(items), pure=False)
                for future in futures:  # in submission order
                    yield future.result()

            yield dask_map
        return
    if config.executor != "local":
        raise ConfigError(f"executor={config.executor!r} is not one of {list(EXECUTORS)}")
    # A worker process spends seconds loading its pipelines: worth it from two batches each.
    workers = min(worker_count(config), n_batches // 2)
    if workers <= 1:
        yield map
        return
    log.info("extracting with %d worker processes", workers)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:

        def pool_map(fn: Callable[[Item], Result], items: Iterable[Item]) -> Iterator[Result]:
            return pool.map(fn, items)

        yield pool_map
