"""Outputs, as files and data: the follow-up list (CSV, JSON, XLSX, Parquet), downloads with
formula injection neutralised, and a visit's explanation as data. No terminal, no HTTP."""
