"""The list page and the visit page against the API under them (``python -m benchmarks.pages``).

A SQLite store with ``n`` synthetic visits (default 1,000,000; ~3 interviews each), screened
with the rules and the shipped model and stored through the bulk path
(:func:`benchmarks.bulk_store.seed`); the service is served on loopback and a monitor signs in
through the sign-in form. Measured in the same run, over real HTTP: the p95 of the list page
(``/list``: numbered pages 1-50 with a random filter, search, sort or site grouping; each
page's evidence rendered again in the page's language; a page past the end of a narrow
search is redirected to the last one, and both requests count) against the API's list
(``/api/v1/visits``) with the same query, and of the visit page (``/visits/{id}``: the rules
run again on the stored record, the risk score's context) against the API's detail. Traffic
goes only to 127.0.0.1.

Targets: list page and visit page p95 under 1 s.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.service import FILTERS, serve

ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 1000.0


def _p95(client: httpx.Client, urls: list[str], headers: dict | None = None) -> float:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url, headers=headers or {})
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return float(np.percentile(times, 95) * 1000)


def _signed_in(base: str, token: str) -> httpx.Client:
    """A client with a web session, signed in through the form as a browser is."""
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=True)
    form = client.get("/sign-in").text
    csrf = re.search(r'name="csrf" value="([^"]*)"', form).group(1)
    answer = client.post("/sign-in", data={"token": token, "csrf": csrf},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.status_code
    return client


def main(n_visits: int = 1_000_000, samples: int = 100) -> int:
    """Build, serve, measure; print one table; exit 1 when a target is missed."""
    from benchmarks.bulk_store import screened
    from benchmarks.service import _store

    data = screened(n_visits)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screening.sqlite3"
        env = {**os.environ, "SCREENING_DATA_DIR": tmp, "PYTHONPATH": str(ROOT)}
        env.pop("SCREENING_DATABASE_URL", None)
        tokens, store_s, ids = _store(url, data)
        proc, base = serve(env)
        try:
            rng = random.Random(0)
            queries = [f"page={rng.randint(1, 50)}" + rng.choice(FILTERS)
                       for _ in range(samples)]
            visits = [rng.choice(ids) for _ in range(samples)]
            api = {"Authorization": f"Bearer {tokens['monitor']}"}
            plain = httpx.Client(base_url=base, timeout=120)
            web = _signed_in(base, tokens["monitor"])
            try:
                _p95(plain, [f"/api/v1/visits?{q}&per_page=50" for q in queries[:20]], api)
                rows = [
                    ("follow-up list, 50 a page",
                     _p95(plain, [f"/api/v1/visits?{q}&per_page=50" for q in queries], api),
                     _p95(web, [f"/list?{q}" for q in queries])),
                    ("one visit",
                     _p95(plain, [f"/api/v1/visits/{v}" for v in visits], api),
                     _p95(web, [f"/visits/{v}" for v in visits])),
                ]
                web.cookies.set("screening_lang", "az")
                rows.append(("follow-up list in Azerbaijani", rows[0][1],
                             _p95(web, [f"/list?{q}" for q in queries])))
            finally:
                plain.close()
                web.close()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    table = Table(title=f"Pages over their API ({n_visits:,} visits on SQLite, stored in "
                        f"{store_s:.0f} s; {samples} requests each; target: page p95 < "
                        f"{TARGET_MS:.0f} ms)")
    for column in ("what", "API p95 (ms)", "page p95 (ms)", "page / API", "ok"):
        table.add_column(column)
    ok = True
    for what, api_ms, page_ms in rows:
        ok &= page_ms < TARGET_MS
        table.add_row(what, f"{api_ms:.0f}", f"{page_ms:.0f}", f"{page_ms / api_ms:.1f}",
                      str(page_ms < TARGET_MS))
    Console(width=160).print(table)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
