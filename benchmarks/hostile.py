"""Hostile uploads against a running service (``python -m benchmarks.hostile``, in ``make bench``).

The files of issue 11, made here: a small XLSX whose sheet unpacks to hundreds of megabytes, a
2 MB CSV of commas, a 2 MB Parquet file promising twenty million rows, a 1.7 MB JSON object
with a hundred and fifty thousand keys. Each is uploaded to ``screening serve`` on loopback
while another client reads the follow-up list; the table shows, per file, the answer, the
server's peak memory (VmHWM of its process) and the other client's worst latency. Traffic
goes only to 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def xlsx_bomb(unpacked_mb: int = 400) -> bytes:
    """A workbook whose one sheet unpacks to ``unpacked_mb`` megabytes (a few hundred KB)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "visits"
    book.active.append(["visit_id"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    row = b'<row><c t="inlineStr"><is><t>V</t></is></c></row>'
    block = row * (1 << 14)
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
                continue
            with dst.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.'
                            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
                for _ in range(unpacked_mb * (1 << 20) // len(block)):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def csv_of_commas(size: int = 2_000_000) -> bytes:
    """A header row of two million commas."""
    return b"," * size + b"\n"


def parquet_of_many_rows(rows: int = 20_000_000) -> bytes:
    """A small Parquet file whose footer promises ``rows`` rows."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table({"visit_id": np.zeros(rows, dtype="int8")}), out,
                   compression="zstd")
    return out.getvalue()


def json_of_many_keys(keys: int = 150_000) -> bytes:
    """One visit object with ``keys`` keys (about 1.7 MB)."""
    return json.dumps({"visits": [{f"k{i}": i for i in range(keys)}]}).encode()


def hostile_files() -> dict[str, bytes]:
    """The four files by the name they are uploaded under."""
    return {"bomb.xlsx": xlsx_bomb(), "commas.csv": csv_of_commas(),
            "rows.parquet": parquet_of_many_rows(), "keys.json": json_of_many_keys()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_memory_mb(pid: int) -> float:
    """The peak resident memory of a process (VmHWM), in megabytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``screening serve`` on a fresh SQLite store in a temporary folder, with a user per
    role (tokens in ``tokens``); a context manager that stops it."""

    def __init__(self, **env: str) -> None:
        from screening.service import open_services
        from screening.settings import Settings
        from screening.store import create_user

        self.folder = tempfile.mkdtemp(prefix="hostile-")
        services = open_services(Settings(data_dir=Path(self.folder)))
        self.tokens = {r: create_user(services.engine, f"h-{r}", r)[1]
                       for r in ("inspector", "monitor")}
        services.engine.dispose()
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import httpx

        env = {**os.environ, "SCREENING_DATA_DIR": self.folder, "PYTHONPATH": str(ROOT),
               **self.env}
        env.pop("SCREENING_DATABASE_URL", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "screening", "serve", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(self.url + "/", timeout=1)
                return self
            except httpx.HTTPError:
                if self.proc.poll() is not None:
                    raise RuntimeError(self.proc.stderr.read()) from None
                time.sleep(0.3)
        raise RuntimeError("the service did not answer within 60 s")

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.communicate(timeout=30)


def upload_while_reading(server: Server, name: str, content: bytes) -> dict:
    """Upload one file while another client reads the list; what each saw."""
    import httpx

    seen: dict = {"latencies": [], "list_done_at": None}
    done = threading.Event()

    def reader() -> None:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            headers = {"Authorization": f"Bearer {server.tokens['monitor']}"}
            while not done.is_set():
                start = time.monotonic()
                answer = client.get("/api/v1/visits", headers=headers)
                seen["latencies"].append(time.monotonic() - start)
                assert answer.status_code == 200, answer.text
                if seen["list_done_at"] is None:
                    seen["list_done_at"] = time.monotonic()
                time.sleep(0.02)

    thread = threading.Thread(target=reader)
    with httpx.Client(base_url=server.url, timeout=300) as client:
        start = time.monotonic()
        thread.start()
        answer = client.post("/api/v1/uploads", files={"file": (name, content)},
                             headers={"Authorization": f"Bearer {server.tokens['inspector']}"})
        upload_done = time.monotonic()
    time.sleep(0.1)
    done.set()
    thread.join()
    body = answer.json()
    return {"file": name, "size_kb": len(content) / 1000, "status": answer.status_code,
            "answer": body.get("error", {}).get("message", ""),
            "upload_s": upload_done - start,
            "other_worst_ms": 1000 * max(seen["latencies"] or [float("nan")]),
            "other_first_answered": seen["list_done_at"] is not None
            and seen["list_done_at"] < upload_done,
            "peak_mb": peak_memory_mb(server.proc.pid)}


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    files = hostile_files()
    table = Table(title="Hostile uploads to screening serve (SQLite, loopback) while another "
                        "client reads the list")
    for column in ("file", "size KB", "answer", "upload s", "other client worst ms",
                   "other answered first", "server peak MB"):
        table.add_column(column)
    with Server() as server:
        for name, content in files.items():
            row = upload_while_reading(server, name, content)
            table.add_row(row["file"], f"{row['size_kb']:,.1f}",
                          f"{row['status']} {row['answer'][:110]}", f"{row['upload_s']:.2f}",
                          f"{row['other_worst_ms']:.0f}", str(row["other_first_answered"]),
                          f"{row['peak_mb']:.0f}")
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
