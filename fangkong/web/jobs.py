"""Work too slow for a page's request (the forecast: some ten seconds of war-game runs), done
in a background thread while the page shows its progress, and kept for the next visit.

One worker: the machine's second core stays with the web server, and two people asking for
the same moment share one run. Results are kept for the last few keys only; a key names what
was computed (the moment, the number of runs), so a stale one is never shown for another."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
Progress = Callable[[int, int], None]
KEEP = 16


@dataclass
class Job(Generic[T]):
    done: int = 0
    total: int = 1
    future: Future[T] | None = None
    error: str | None = None

    @property
    def finished(self) -> bool:
        return self.future is not None and self.future.done()

    def result(self) -> T | None:
        if not self.finished or self.future is None or self.future.exception() is not None:
            return None
        return self.future.result()


@dataclass
class Jobs(Generic[T]):
    """Jobs by key: started once, their progress readable while they run."""

    jobs: OrderedDict[Hashable, Job[T]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="job")
    )

    def start(self, key: Hashable, work: Callable[[Progress], T]) -> Job[T]:
        """The job for `key`: the one running or done, or a new one of `work(progress)`."""
        with self.lock:
            found = self.jobs.get(key)
            if found is not None and not (found.finished and found.result() is None):
                self.jobs.move_to_end(key)
                return found
            job: Job[T] = Job()

            def progress(done: int, total: int) -> None:
                job.done, job.total = done, max(total, 1)

            job.future = self.pool.submit(work, progress)
            self.jobs[key] = job
            while len(self.jobs) > KEEP:
                self.jobs.popitem(last=False)
            return job

    def get(self, key: Hashable) -> Job[T] | None:
        with self.lock:
            return self.jobs.get(key)
