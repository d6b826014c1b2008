"""Load benchmark of the service, on SQLite and on PostgreSQL (``python -m benchmarks.service``).

For each database: a store with 1,000,000 visits (~3,000,000 interviews), screened with the
rules and the shipped model and stored through the bulk path (``store_upload``: COPY or
batched inserts, then the list's entries; not the HTTP upload, which would take as long as the
rest of the benchmark), followed by ANALYZE; the p95 latency of the list and detail API over
real HTTP on loopback: numbered pages 1-50 with every filter, the search, the other sorts and
the list grouped by site, pages reached by cursor, and numbered pages deep in the list
(1,000-10,000); a 10,000-visit upload validated, screened and stored; then 8 concurrent
clients uploading and reviewing for 60 s, after which the store's counts are reconciled with
what the clients were told was stored. Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("SCREENING_TEST_POSTGRES_URL",
                          "postgresql://postgres@127.0.0.1:5432/test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _store(url: str, data) -> tuple[dict[str, str], float, list[str]]:  # noqa: ANN001
    """Store the screened visits through the bulk path, create users; tokens, seconds, ids."""
    from benchmarks.bulk_store import seed
    from screening.store import create_user, migrate

    seconds = seed(url, *data)
    engine = migrate(url)
    tokens = {role: create_user(engine, f"bench-{role}", role)[1]
              for role in ("inspector", "monitor", "analyst", "admin")}
    engine.dispose()
    return tokens, seconds, data[1].visits["visit_id"].astype(str).tolist()


def serve(env: dict[str, str], wait: float = 600) -> tuple[subprocess.Popen, str]:
    """``screening serve`` on a free loopback port (not seeded: no ``--demo``); the process and
    its address once it answers. Its log goes to a temporary file, shown if it stops."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "screening", "serve", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait  # a busy machine takes a while to load the model
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the service stopped ({proc.returncode}):\n"
                               + log.read().decode(errors="replace")[-3000:])
        try:
            httpx.get(base + "/healthz", timeout=1)
            return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"the service did not answer in {wait:g} s")


def _p95(client: httpx.Client, urls: list[str], headers: dict) -> float:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
    return float(np.percentile(times, 95) * 1000)


FILTERS = ["", "&sector=agriculture", "&tier=high", "&region=Baku", "&status=none",
           "&date_from=2024-01-01&date_to=2024-12-31", "&q=V00012", "&q=s0001",
           "&group=site", "&sort=risk", "&sort=date", "&sort=site", "&sort=date_ascending",
           "&region=Baku&sector=construction&sort=risk"]


def _list_urls(rng: random.Random, n: int) -> list[str]:
    """Numbered pages 1-50 of the list with a random filter, search, sort or grouping."""
    return [f"/api/v1/visits?page={rng.randint(1, 50)}&per_page=50" + rng.choice(FILTERS)
            for _ in range(n)]


def _cursor_p95(client: httpx.Client, headers: dict, rng: random.Random, n: int) -> float:
    """p95 of pages read by cursor: chains of next (and previous) pages from random starts."""
    times, url = [], None
    for _ in range(n):
        if url is None:
            url = (f"/api/v1/visits?page={rng.randint(1, 2000)}&per_page=50"
                   + rng.choice(FILTERS[:6]))
            client.get(url, headers=headers).raise_for_status()
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - start)
        response.raise_for_status()
        body = response.json()
        step = body["next_cursor"] if rng.random() < 0.8 else body["prev_cursor"]
        base = url.split("&cursor=")[0]
        url = None if step is None or rng.random() < 0.1 else f"{base}&cursor={step}"
    return float(np.percentile(times, 95) * 1000)


def _upload_csv(n: int, seed: int, prefix: str) -> bytes:
    from screening.datasets.synthetic import generate

    data = generate(n, seed=seed)
    visits = data.visits.copy()
    visits["visit_id"] = [f"{prefix}{i:07d}" for i in range(n)]
    return visits.to_csv(index=False, date_format="%Y-%m-%d").encode()


def _concurrent(base: str, tokens: dict[str, str], ids: list[str], seconds: float
                ) -> dict[str, int]:
    """4 uploaders and 4 reviewers for ``seconds``; what the server said it stored."""
    sent = {"visits": 0, "reviews": 0, "errors": 0}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    bodies = [_upload_csv(20, 1000 + i, f"C{i}-") for i in range(4)]

    def uploader(k: int) -> None:
        headers = {"Authorization": f"Bearer {tokens['inspector']}"}
        with httpx.Client(base_url=base, timeout=120) as client:
            n = 0
            while time.monotonic() < stop:
                tag = f"{k}x{n}-{uuid.uuid4().hex[:6]}-"
                body = bodies[k].replace(f"C{k}-".encode(), tag.encode())
                r = client.post("/api/v1/uploads", headers=headers,
                                files={"file": (f"{tag}.csv", body, "text/csv")})
                with lock:
                    if r.status_code == 201:
                        sent["visits"] += r.json()["accepted"]["visits"]
                    else:
                        sent["errors"] += 1
                n += 1

    def reviewer(k: int) -> None:
        headers = {"Authorization": f"Bearer {tokens['monitor']}"}
        rng = random.Random(k)
        with httpx.Client(base_url=base, timeout=120) as client:
            while time.monotonic() < stop:
                r = client.post(f"/api/v1/visits/{rng.choice(ids)}/reviews", headers=headers,
                                json={"status": "visited", "notes": f"client {k}"})
                with lock:
                    if r.status_code == 201:
                        sent["reviews"] += 1
                    else:
                        sent["errors"] += 1

    threads = [threading.Thread(target=uploader, args=(k,)) for k in range(4)]
    threads += [threading.Thread(target=reviewer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sent


def run(kind: str, url: str, env: dict[str, str], data, seconds: float  # noqa: ANN001
        ) -> dict:
    """One database: build, measure, load, reconcile."""
    from screening.store.tables import Review, Visit

    tokens, store_s, ids = _store(url, data)
    proc, base = serve(env)
    try:
        headers = {"Authorization": f"Bearer {tokens['monitor']}"}
        with httpx.Client(base_url=base, timeout=60) as client:
            rng = random.Random(0)
            lists = _list_urls(rng, 300)
            details = [f"/api/v1/visits/{rng.choice(ids)}" for _ in range(200)]
            deep = [f"/api/v1/visits?page={rng.randint(1000, 10_000)}&per_page=50"
                    + rng.choice(FILTERS[:5]) for _ in range(60)]
            _p95(client, lists[:20], headers)  # the first counts of each filter are cached
            list_p95, detail_p95 = _p95(client, lists, headers), _p95(client, details, headers)
            cursor_p95, deep_p95 = _cursor_p95(client, headers, rng, 200), _p95(
                client, deep, headers)
            body = _upload_csv(10_000, 7, "U-")
            start = time.perf_counter()
            r = client.post("/api/v1/uploads", headers={
                "Authorization": f"Bearer {tokens['inspector']}"},
                files={"file": ("ten-thousand.csv", body, "text/csv")})
            upload_s = time.perf_counter() - start
            r.raise_for_status()
        engine = create_engine(url)
        with engine.connect() as c:
            visits_before = c.scalar(select(func.count()).select_from(Visit))
            reviews_before = c.scalar(select(func.count()).select_from(Review))
        sent = _concurrent(base, tokens, ids, seconds)
        with engine.connect() as c:
            visits_after = c.scalar(select(func.count()).select_from(Visit))
            reviews_after = c.scalar(select(func.count()).select_from(Review))
        engine.dispose()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    lost = (sent["visits"] - (visits_after - visits_before),
            sent["reviews"] - (reviews_after - reviews_before))
    return {"db": kind, "seed (s)": store_s, "list p95 (ms)": list_p95,
            "cursor p95 (ms)": cursor_p95, "detail p95 (ms)": detail_p95,
            "deep page p95 (ms)": deep_p95, "10k upload (s)": upload_s,
            "concurrent visits": sent["visits"], "concurrent reviews": sent["reviews"],
            "errors": sent["errors"], "lost": lost,
            "ok": (list_p95 < 100 and detail_p95 < 100 and cursor_p95 < 100
                   and upload_s < 10 and lost == (0, 0))}


def main(n_visits: int = 1_000_000, seconds: float = 60.0) -> int:
    """Run on SQLite, then on PostgreSQL when a server answers; print one table."""
    from benchmarks.bulk_store import screened

    data = screened(n_visits)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screening.sqlite3"
        env = {**os.environ, "SCREENING_DATA_DIR": tmp, "PYTHONPATH": str(ROOT)}
        env.pop("SCREENING_DATABASE_URL", None)
        rows.append(run("SQLite", url, env, data, seconds))
        print(rows[-1], file=sys.stderr, flush=True)  # survives a run cut short
    from screening.store.engine import normalise_url

    admin = create_engine(normalise_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    name = f"screening_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as error:  # noqa: BLE001
        Console().print(f"PostgreSQL not reachable ({error}); its run was skipped.")
    else:
        url = normalise_url(PG_ADMIN.rsplit("/", 1)[0] + "/" + name)
        env = {**os.environ, "SCREENING_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        try:
            rows.append(run("PostgreSQL", url, env, data, seconds))
            print(rows[-1], file=sys.stderr, flush=True)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    table = Table(title=f"Service load ({n_visits:,} visits stored through the bulk path; "
                        "targets: list, cursor and detail p95 < 100 ms, 10k upload < 10 s, "
                        f"nothing lost in {seconds:.0f} s of 8 concurrent clients; deep pages: "
                        "numbered pages 1,000-10,000, no target)")
    for col in rows[0]:
        table.add_column(col)
    for r in rows:
        table.add_row(*[f"{v:.2f}" if isinstance(v, float) else str(v) for v in r.values()])
    Console(width=220).print(table)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(*(float(a) if "." in a else int(a) for a in sys.argv[1:])))
