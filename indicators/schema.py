"""Pydantic schema of the indicator catalogue (one YAML file per group).

The schema checks structure only. What the names in a rule, an evidence template or a sector
list refer to is checked where they are compiled, by :mod:`screening.rules.catalogue`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from indicators.tiers import TIER_ORDER

Framework = Literal[
    "ILO-11", "ICLS-2018", "ILO-EC-2009", "AZ-LAW", "UNODC", "GLAA", "HTCDS", "NGO", "NATIONAL",
]
"""Where a reference comes from. ``NGO``: a non-governmental organisation's guidance (e.g. Hope
for Justice, Respect International, the US hotline's case pages); ``NATIONAL``: the national
report or another Azerbaijani official figure that is not law (``AZ-LAW`` is law)."""
Tier = Literal[TIER_ORDER]  # type: ignore[valid-type]
Kind = Literal["forced-labour", "child-labour", "labour-law", "risk-pattern"]
"""What a site-level indicator is evidence of, for the tier policy (catalogue.yaml):
``forced-labour`` an ILO forced-labour indicator (any one makes a visit medium; two distinct ones
with a strong one make it high); ``child-labour`` child labour (its tier floor says how far it
raises the visit); ``labour-law`` a labour-law violation (never raises the tier: low alone);
``risk-pattern`` a sector pattern that adds to the score only."""
Strength = Literal["strong", "medium", "weak"]


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
    strength: Strength | None = None
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
    kind: Kind | None = None
    strength: Strength | None = Field(
        default=None, description="ILO-EC 2009 grading of what the indicator shows (tier policy)"
    )
    icls: Literal["involuntariness", "coercion"] | None = None
    count_as: str | None = Field(default=None, pattern=r"^workers_[a-z0-9_]+$")
    evidence: list[Evidence] = Field(min_length=1)
    legal_reference: Text | None = None
    examples: Examples

    @model_validator(mode="after")
    def _level_fields(self) -> Indicator:
        if self.level == "worker" and not self.count_as:
            raise ValueError("A worker-level indicator needs 'count_as' (e.g. workers_deceived).")
        if self.level == "site" and (self.count_as or self.icls):
            raise ValueError("'count_as' and 'icls' belong to worker-level indicators only.")
        if self.level == "site" and self.kind is None:
            raise ValueError("A site-level indicator needs 'kind' (forced-labour, child-labour, "
                             "labour-law or risk-pattern): the tier policy depends on it.")
        if self.level == "worker" and (self.kind or self.tier):
            raise ValueError("'kind' and 'tier' belong to site-level indicators only.")
        if self.kind == "labour-law" and self.tier is not None:
            raise ValueError("A labour-law indicator has no tier floor: labour-law facts alone "
                             "never raise a visit above low.")
        return self


class Group(_Strict):
    """One YAML file of the catalogue: a group of indicators from one framework or area."""

    group: str = Field(pattern=r"^[a-z0-9-]+$")
    title: Text
    indicators: list[Indicator] = Field(min_length=1)


class TierPolicy(_Strict):
    """The tier policy from the standards (the one place it is written; README quotes it).

    ``urgent``..``low`` are the texts shown to users; ``high_distinct`` is how many distinct
    forced-labour indicators (facts counted once) make a visit high when one is strong.
    """

    urgent: Text
    high: Text
    medium: Text
    low: Text
    high_distinct: int = Field(default=2, ge=2)


class Fact(_Strict):
    """One underlying fact: the feature columns that observe it and when it is present."""

    columns: list[str] = Field(min_length=1)
    present: str = Field(min_length=1, description="rule: the fact holds at the visit")


class Settings(_Strict):
    """The catalogue's settings file (``catalogue.yaml``): tier policy, facts, cited sources.

    ``facts`` names the underlying facts and the feature columns that observe each (a column's
    ``_share`` and ``_asked`` variants go with it). Each fact counts once in the rule score.
    """

    tier_policy: TierPolicy
    facts: dict[str, Fact] = Field(min_length=1)
    sources: dict[str, str] = Field(min_length=1)
    escalation_note: Text | None = None
