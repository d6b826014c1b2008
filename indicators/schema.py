"""Pydantic schema of the indicator catalogue (one YAML file per group).

The schema checks structure only. What the names in a rule, an evidence template or a sector
list refer to is checked where they are compiled, by :mod:`screening.rules.catalogue`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from indicators.tiers import TIER_ORDER

Framework = Literal["ILO-11", "ICLS-2018", "ILO-EC-2009", "AZ-LAW", "UNODC", "GLAA", "HTCDS"]
Tier = Literal[TIER_ORDER]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in English and Azerbaijani."""

    en: str = Field(min_length=1)
    az: str = Field(min_length=1)


class FrameworkRef(_Strict):
    """One framework reference an indicator encodes.

    ``verified`` is false where the research notes tag the source [U] (one third-party source)
    or [NF] (not found): such a reference is shown as unverified in the catalogue.
    """

    framework: Framework
    ref: str = Field(min_length=1, description="e.g. 'FL07', 'CO5', 'D5 Confiscation of documents'")
    dimension: Literal["involuntariness", "coercion"] | None = None
    strength: Literal["strong", "medium", "weak"] | None = None
    sources: list[str] = Field(min_length=1, description="keys into the catalogue's sources")
    verified: bool = True
    note: str | None = None


class Evidence(_Strict):
    """One evidence sentence, rendered for a fired visit where ``when`` (default: the rule) holds.

    ``text`` may name feature columns in braces: ``{workers_docs_withheld}`` renders a count,
    ``{share_without_contract:pct}`` a percentage, ``{avg_weekly_hours:1}`` one decimal.
    """

    when: str | None = None
    text: Text


class Examples(_Strict):
    """Feature values on which the rule must fire (positive) and must not (negative)."""

    positive: list[dict[str, Any]] = Field(min_length=1)
    negative: list[dict[str, Any]] = Field(min_length=1)


class Indicator(_Strict):
    """One codified indicator: what it means, where it comes from, and its rule."""

    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    level: Literal["site", "worker"] = "site"
    name: Text
    description: Text
    frameworks: list[FrameworkRef] = Field(min_length=1)
    sectors: list[str] | None = None
    rule: str = Field(min_length=1)
    weight: float = Field(ge=0, le=100)
    tier: Tier | None = None
    icls: Literal["involuntariness", "coercion"] | None = None
    count_as: str | None = Field(default=None, pattern=r"^workers_[a-z0-9_]+$")
    evidence: list[Evidence] = Field(min_length=1)
    legal_reference: str | None = None
    examples: Examples

    @model_validator(mode="after")
    def _level_fields(self) -> Indicator:
        if self.level == "worker" and not self.count_as:
            raise ValueError("A worker-level indicator needs 'count_as' (e.g. workers_deceived).")
        if self.level == "site" and (self.count_as or self.icls):
            raise ValueError("'count_as' and 'icls' belong to worker-level indicators only.")
        return self


class Group(_Strict):
    """One YAML file of the catalogue: a group of indicators from one framework or area."""

    group: str = Field(pattern=r"^[a-z0-9-]+$")
    title: Text
    indicators: list[Indicator] = Field(min_length=1)


class TierRules(_Strict):
    """How rule scores map to tiers; an indicator's own ``tier`` is a floor on top."""

    high: float = Field(gt=0)
    medium: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> TierRules:
        if self.medium >= self.high:
            raise ValueError(
                f"The 'medium' score ({self.medium}) must be below 'high' ({self.high})."
            )
        return self


class Settings(_Strict):
    """The catalogue's settings file (``catalogue.yaml``): tiers and cited sources."""

    tiers: TierRules
    sources: dict[str, str] = Field(min_length=1)
    escalation_note: Text | None = None
