"""Benchmarks: each prints a table against baselines of the same run (docs/performance.md,
docs/allocation.md)."""
from __future__ import annotations

from multiprocessing import Pool
from typing import Callable, Iterable, Iterator


def results(function: Callable, work: Iterable, processes: int,
            chunksize: int = 1) -> Iterator:
    """`function` over `work`, results in the order they finish: in worker processes, or
    with `processes` 1 in this one. One process forks nothing: a test calling a benchmark
    runs among the suite's threads, and a worker forked while one of them holds a lock
    can hang for ever."""
    if processes <= 1:
        yield from map(function, work)
        return
    with Pool(processes) as pool:
        yield from pool.imap_unordered(function, work, chunksize=chunksize)
