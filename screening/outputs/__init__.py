"""Outputs, as files and data: the follow-up list (CSV, JSON, Parquet for machines; formatted
XLSX and CSV for people), downloads with formula injection neutralised, the upload template and
the column guide generated from the upload contract, and a visit's explanation as data. No
terminal, no HTTP."""

FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx", "parquet")
"""Output formats of the follow-up list: a terminal table, or a file format."""

__all__ = ["FORMATS"]
