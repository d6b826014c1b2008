"""The tiers of the follow-up list (one definition, used everywhere)."""

TIER_ORDER: tuple[str, ...] = ("low", "medium", "high", "urgent")
"""The tiers in rising order of urgency (``TIER_ORDER.index`` is a rank)."""

__all__ = ["TIER_ORDER"]
