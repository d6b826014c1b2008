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

REFERRAL_STATUSES: tuple[str, ...] = ("open", "referred", "not_referred")
"""The states of a referral case: open until a monitor records referred or not referred."""

RECIPIENTS: tuple[str, ...] = ("special_police", "migration_service", "minors_commission",
                               "other")
"""Who a probable victim is referred to: the Ministry of Internal Affairs' special police unit
against trafficking, the State Migration Service, the commission on minors' affairs, or another
body named in the notes."""

CHANNELS: tuple[str, ...] = ("phone", "letter", "electronic")
"""How a referral was made: by phone, by letter, or through an electronic system."""

__all__ = ["CHANNELS", "RECIPIENTS", "REFERRAL_STATUSES", "REVIEW_STATUSES", "ROLES"]
