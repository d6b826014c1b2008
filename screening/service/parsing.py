"""Parse uploads in a worker process with a time and a memory limit.

Bounds (:mod:`screening.ingest.bounds`) refuse the hostile files we know of before they are
parsed; the worker is the backstop for those we do not: each upload is read in a process of its
own (forked from a server that has the parsers loaded already, so it starts in milliseconds)
whose address space may grow by at most ``SCREENING_PARSE_MEMORY_MB`` and which is killed after
``SCREENING_PARSE_TIMEOUT_S`` seconds. The server's own memory never holds what the parser
blew up, and a parse that runs away is refused (413) naming the limit, while other users' requests
go on being answered.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
import threading
from pathlib import Path

from screening.errors import LoaderError, ScreeningError, UploadRefused
from screening.ingest.bounds import Bounds
from screening.ingest.loaders import LoadResult, load_upload
from screening.ingest.regions import Regions

_CONTEXT = None
_LOCK = threading.Lock()


def _context():  # noqa: ANN202
    global _CONTEXT
    with _LOCK:
        if _CONTEXT is None:
            _CONTEXT = mp.get_context("forkserver")
            _CONTEXT.set_forkserver_preload(["screening.ingest.loaders"])
        return _CONTEXT


def _virtual_size(field: str = "VmSize") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


_OUT_OF_MEMORY = ("memory", "resource temporarily unavailable", "bad_alloc", "cannot allocate")


def _ran_out(limit: int, message: str) -> bool:
    """Whether a failure in the worker came from its memory limit: the parsers report it in
    their own words (an allocation or a thread that could not be had), or the address space
    had reached the limit."""
    text = message.lower()
    return any(s in text for s in _OUT_OF_MEMORY) or _virtual_size("VmPeak") > 0.9 * limit


def _work(conn, visits, interviews, bounds: Bounds, memory: int,  # noqa: ANN001
          regions: Regions | None = None) -> None:
    """In the worker: limit the address space, load, send back (ok, result or error)."""
    limit = _virtual_size() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send((True, load_upload(visits, interviews, bounds, regions)))
    except LoaderError as exc:  # errors travel as data: their constructors take other args
        conn.send((False, None if _ran_out(limit, exc.reason) else
                   ("loader", exc.source, exc.reason)))
    except UploadRefused as exc:
        conn.send((False, ("refused", exc.code, str(exc))))
    except ScreeningError as exc:
        conn.send((False, ("loader", visits[0], str(exc))))
    except MemoryError:
        conn.send((False, None))
    finally:
        conn.close()


def _run(target, args: tuple, doing: str, seconds: float,  # noqa: ANN001 - a worker function
         memory_mb: float) -> tuple:
    """Run ``target(conn, *args)`` in a worker process; its answer ``(ok, value)``.

    Raises
    ------
    UploadRefused
        ``too_large``: no answer within ``seconds``, or the worker died or ran out of memory
        without saying what went wrong (``value`` None).
    """
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(target=target, daemon=True, args=(sender, *args))
    worker.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            raise UploadRefused("too_large", f"{doing} took longer than {seconds:g} s "
                                             "(SCREENING_PARSE_TIMEOUT_S).")
        try:
            ok, value = receiver.recv()
        except EOFError:
            ok, value = False, None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receiver.close()
    if not ok and value is None:
        raise UploadRefused("too_large", f"{doing} needed more than {memory_mb:g} MB of memory "
                                         "(SCREENING_PARSE_MEMORY_MB).")
    return ok, value


def load_in_worker(visits: tuple[str, bytes], interviews: tuple[str, bytes] | None,
                   bounds: Bounds, *, seconds: float, memory_mb: float,
                   regions: Regions | None = None) -> LoadResult:
    """:func:`~screening.ingest.loaders.load_upload` in a worker process with limits (and the
    configured ``regions``).

    Raises
    ------
    UploadRefused
        ``too_large``: the parse took longer than ``seconds`` or needed more than ``memory_mb``
        (naming the setting).
    LoaderError
        As :func:`~screening.ingest.loaders.load_upload`.
    """
    name = visits[0]
    ok, value = _run(_work, (visits, interviews, bounds, int(memory_mb * 1e6), regions),
                     f"{name}: reading the file", seconds, memory_mb)
    if ok:
        return value
    kind, first, second = value
    if kind == "refused":
        raise UploadRefused(first, second)
    raise LoaderError(first, second)


def _mark(conn, suffix: str, content: bytes, messages: dict, memory: int) -> None:  # noqa: ANN001
    """In the worker: limit the address space, mark the file, send back (ok, bytes)."""
    limit = _virtual_size() + memory
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        from screening.outputs.marked import marked_csv, marked_xlsx

        if suffix == ".xlsx":
            conn.send((True, marked_xlsx(content, messages)))
        else:
            conn.send((True, marked_csv(content, messages)))
    except MemoryError:
        conn.send((False, None))
    except Exception as exc:  # noqa: BLE001 - any failure of a damaged file: say what it was
        conn.send((False, None if _ran_out(limit, str(exc)) else type(exc).__name__))
    finally:
        conn.close()


def mark_in_worker(name: str, content: bytes, messages: dict, *, seconds: float,
                   memory_mb: float) -> bytes:
    """The kept file ``name`` with its errors marked
    (:func:`~screening.outputs.marked.marked_xlsx` for ``.xlsx``, else
    :func:`~screening.outputs.marked.marked_csv`), made in a worker process with the upload's
    time and memory limits: a workbook that unpacks to much more than it weighs cannot take the
    server's memory when it is given back.

    Raises
    ------
    UploadRefused
        ``too_large``: marking took longer than ``seconds`` or needed more than ``memory_mb``.
    ScreeningError
        The kept file could not be marked (damaged).
    """
    suffix = Path(name).suffix.lower()
    ok, value = _run(_mark, (suffix, content, messages, int(memory_mb * 1e6)),
                     f"{name}: marking the file", seconds, memory_mb)
    if ok:
        return value
    raise ScreeningError(f"{name}: the kept file could not be marked ({value}).")


__all__ = ["load_in_worker", "mark_in_worker"]
