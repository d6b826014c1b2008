"""Timing and peak-memory measurement shared by the benchmarks."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import psutil


class PeakRSS:
    """Sample this process's resident memory every few milliseconds; keep the peak."""

    def __init__(self, interval: float = 0.005):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRSS:
        self.peak = self._proc.memory_info().rss
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def measure(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """Run ``fn`` once: (seconds, peak RSS in bytes during the run, its result)."""
    with PeakRSS() as rss:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    return seconds, rss.peak, result


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, int, Any]:
    """The fastest of ``runs`` runs (as timeit does: the others met a busier machine), with the
    highest peak RSS seen and the last result."""
    measured = [measure(fn) for _ in range(runs)]
    return (min(m[0] for m in measured), max(m[1] for m in measured), measured[-1][2])


def emit(rows: list[dict[str, Any]]) -> None:
    """Hand results to the runner (one JSON document on stdout)."""
    json.dump(rows, sys.stdout)
    sys.stdout.write("\n")


class PeakTreeRSS:
    """Sample the resident memory of a process and all its descendants (a Dask command with
    its scheduler, nannies and workers), summed, every ``interval`` seconds; keep the peak."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.interval = interval
        self.peak = 0
        self._root = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        total = 0
        try:
            processes = [self._root, *self._root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        for proc in processes:
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __enter__(self) -> PeakTreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
