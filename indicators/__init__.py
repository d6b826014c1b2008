"""The codified indicators of forced labour: the catalogue as data (YAML), its schema and loader.

This package is data only and imports nothing from ``screening``; the rules layer
(:mod:`screening.rules.catalogue`) compiles it. Names are imported on first use, so naming
:data:`TIER_ORDER` or :class:`CatalogueError` does not load the schema.

>>> from indicators import read_catalogue
>>> data = read_catalogue()
>>> next(ind for _, ind in data.indicators if ind.id == "ICLS-FL-WORKERS").tier
'urgent'
"""

from __future__ import annotations

import importlib
from typing import Any

from indicators.errors import CatalogueError
from indicators.tiers import TIER_ORDER

_LAZY = {"DATA_DIR": "indicators.loader", "CatalogueData": "indicators.loader",
         "read_catalogue": "indicators.loader", "Indicator": "indicators.schema"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'indicators' has no attribute {name!r}")


__all__ = ["DATA_DIR", "TIER_ORDER", "CatalogueData", "CatalogueError", "Indicator",
           "read_catalogue"]
