"""The codified indicators of forced labour: the catalogue as data (YAML), its schema and loader.

This package is data only and imports nothing from ``screening``; the rules layer
(:mod:`screening.rules.catalogue`) compiles it.

>>> from indicators import read_catalogue
>>> data = read_catalogue()
>>> next(ind for _, ind in data.indicators if ind.id == "ICLS-FL-WORKERS").tier
'urgent'
"""

from indicators.loader import DATA_DIR, CatalogueData, CatalogueError, read_catalogue
from indicators.schema import TIER_ORDER, Indicator

__all__ = [
    "DATA_DIR",
    "TIER_ORDER",
    "CatalogueData",
    "CatalogueError",
    "Indicator",
    "read_catalogue",
]
