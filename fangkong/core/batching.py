"""Gather the requests that arrive together and serve them with one call in one thread.

A hot read path pays a database round trip and a transaction per call; under load, many
requests are waiting at once, so the requests that reach the event loop while one batch is in
the database go together in the next. At low load a batch is one request and nothing waits;
at high load the cost of a round trip is shared by everyone in the batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """`run` takes a list of items and returns one result per item, in order; it runs in a
    thread of its own, one batch at a time, so the event loop goes on reading requests."""

    def __init__(self, run: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int = 512):
        self._run = run
        self._max = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._draining = False
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="batch")

    async def submit(self, item: T) -> R:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((item, future))
        if not self._draining:
            self._draining = True
            loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending:
                batch, self._pending = self._pending[: self._max], self._pending[self._max :]
                try:
                    results = await loop.run_in_executor(
                        self._executor, self._run, [item for item, _ in batch]
                    )
                except Exception as exc:  # every waiter hears of it; the next batch runs
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():  # a client that went away
                        future.set_result(result)
        finally:
            self._draining = False

    def close(self) -> None:
        self._executor.shutdown(wait=True)
