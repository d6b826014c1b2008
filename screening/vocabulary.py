"""Words of the service shared by every layer that needs them, each defined once here.

The tiers are the catalogue's (:data:`indicators.TIER_ORDER`), the upload's choices are the
upload contract's (:mod:`screening.ingest.records`) and the rejected table's columns are the
validation's (:data:`screening.ingest.validation.REJECTED_COLUMNS`).
"""

from __future__ import annotations

ROLES: tuple[str, ...] = ("inspector", "monitor", "analyst", "admin")
"""User roles, from least to most privileged in administration (not a hierarchy of data)."""

REVIEW_STATUSES: tuple[str, ...] = ("scheduled", "visited", "decided")
"""The steps of a follow-up review, in order."""

__all__ = ["REVIEW_STATUSES", "ROLES"]
