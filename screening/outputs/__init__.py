"""Outputs, as files and data: the follow-up list (CSV, JSON, XLSX, Parquet), downloads with
formula injection neutralised, and a visit's explanation as data. No terminal, no HTTP."""

FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx", "parquet")
"""Output formats of the follow-up list: a terminal table, or a file format."""

__all__ = ["FORMATS"]
