"""The Dask client a partitioned run uses: a local cluster by default, or an existing one."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from screening.errors import UsageError

if TYPE_CHECKING:
    from distributed import Client


#: The local cluster's workers: one thread of OpenMP each (a worker a core), as Dask sets
#: them, but without Dask's ``MALLOC_TRIM_THRESHOLD_=65536``: handing every freed block back
#: to the system made the pandas work of a partition use 40-60% more CPU here, for no
#: lower peak (each task frees what it made). No statistical profiler either: it takes the
#: interpreter lock every 10 ms from the one thread that works.
LOCAL_WORKERS = {
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
    "distributed.worker.profile.enabled": False,
}


@contextlib.contextmanager
def dask_client(scheduler: str | Client | None = None, workers: int | None = None
                ) -> Iterator[Client]:
    """A Dask client for the length of the ``with`` block.

    Parameters
    ----------
    scheduler : str, distributed.Client or None
        None starts a local cluster of ``workers`` processes with one thread each (default:
        one per core), closed at the end of the block. An address (``tcp://10.0.0.5:8786``)
        connects to a running scheduler and leaves it running; a client is used as it is.
    workers : int, optional
        Worker processes of the local cluster.

    Raises
    ------
    UsageError
        No scheduler answers at the address, or ``workers`` with a scheduler address.
    """
    from distributed import Client, LocalCluster

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler:
        if workers:
            raise UsageError("The number of workers is the cluster's own when a scheduler "
                             "address is given; leave --workers out.")
        try:
            client = Client(scheduler, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(f"No Dask scheduler answers at {scheduler!r} ({exc}).") from None
        with client:
            yield client
        return
    if workers is not None and workers < 1:
        raise UsageError(f"The number of workers must be at least 1. Got {workers} instead.")
    import dask

    with (dask.config.set(LOCAL_WORKERS),
          LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                       processes=True, dashboard_address=":0",
                       silence_logs=logging.ERROR) as cluster,
          Client(cluster, set_as_default=False) as client):
        yield client


__all__ = ["dask_client"]
