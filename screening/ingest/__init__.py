"""Ingest: the upload contract (``records``), bulk validation (``validation``), reading files
from paths or bytes (``readers``) and loading an upload into valid and rejected rows
(``loaders``)."""
