"""The codified indicators of forced labour: the catalogue as YAML data, its schema and loader.

>>> from indicators import load_catalogue
>>> catalogue = load_catalogue()
>>> catalogue.get("ICLS-FL-WORKERS").spec.tier
'urgent'
"""

from indicators.loader import (
    DATA_DIR,
    Catalogue,
    CatalogueError,
    CompiledIndicator,
    load_catalogue,
)
from indicators.schema import TIER_ORDER, Indicator

__all__ = [
    "DATA_DIR",
    "TIER_ORDER",
    "Catalogue",
    "CatalogueError",
    "CompiledIndicator",
    "Indicator",
    "load_catalogue",
]
