"""Compile the indicator catalogue (``indicators/``, data only) into vectorised checks.

:func:`load_catalogue` reads the YAML through :func:`indicators.read_catalogue` (structure and
references), then checks what the rules name against the feature vocabulary and compiles every
rule and evidence condition once. The bundled catalogue is compiled once per process and
shared (:func:`load_catalogue` without a folder is cached).
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from indicators import CatalogueData, Indicator, read_catalogue
from indicators import CatalogueError as _SpecError
from indicators.schema import Group, Settings
from screening.errors import CatalogueError, ExpressionError, NotFoundError
from screening.ingest.records import SECTORS
from screening.rules.evidence import PLACEHOLDER
from screening.rules.expr import CompiledRule, compile_rule
from screening.rules.features import site_feature_types, worker_feature_types


@dataclass(frozen=True)
class CompiledIndicator:
    """An indicator with its rule and evidence conditions compiled once."""

    spec: Indicator
    file: str
    rule: CompiledRule
    evidence_when: tuple[CompiledRule | None, ...]
    facts: frozenset[str] = frozenset()
    """The underlying facts the rule observes (catalogue.yaml ``facts``); site level only."""

    @property
    def id(self) -> str:
        """The indicator's stable id."""
        return self.spec.id


@dataclass(frozen=True)
class Catalogue:
    """The whole catalogue: settings, groups and compiled indicators in file order."""

    settings: Settings
    groups: tuple[Group, ...]
    worker: tuple[CompiledIndicator, ...]
    site: tuple[CompiledIndicator, ...]
    fingerprint: str
    site_types: dict[str, str] = field(repr=False)
    worker_types: dict[str, str] = field(repr=False)
    facts: tuple[tuple[str, CompiledRule], ...] = ()
    """Each fact of catalogue.yaml with its compiled ``present`` rule, in name order."""

    @property
    def indicators(self) -> tuple[CompiledIndicator, ...]:
        """Every indicator, worker-level first."""
        return self.worker + self.site

    def get(self, indicator_id: str) -> CompiledIndicator:
        """The indicator with this id (KeyError naming close matches otherwise)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        close = difflib.get_close_matches(indicator_id, [i.id for i in self.indicators], n=3)
        raise NotFoundError(
            f"No indicator '{indicator_id}'." + (f" Did you mean {close}?" if close else "")
        )


def _compile(path: Path, ind: Indicator, text: str, types: dict[str, str], what: str
             ) -> CompiledRule:
    try:
        return compile_rule(text, types)
    except ExpressionError as exc:
        raise CatalogueError(path, f"the {what} does not compile: {exc}", ind.id) from exc


def _check_sectors(path: Path, ind: Indicator) -> None:
    for sector in ind.sectors or []:
        if sector not in SECTORS:
            raise CatalogueError(path, f"field 'sectors': Unknown sector '{sector}'; expected one "
                                       f"of {', '.join(SECTORS)}.", ind.id)


def _check_templates(path: Path, ind: Indicator, types: dict[str, str]) -> None:
    for ev in ind.evidence:
        for lang in ("en", "az"):
            text = getattr(ev.text, lang)
            for name, _ in PLACEHOLDER.findall(text):
                if name not in types:
                    raise CatalogueError(
                        path, f"evidence ({lang}) names unknown column '{{{name}}}'.", ind.id
                    )
            if re.sub(PLACEHOLDER, "", text).count("{"):
                raise CatalogueError(
                    path, f"evidence ({lang}) has a malformed placeholder: {text!r}", ind.id
                )


def _base_column(name: str) -> str:
    for suffix in ("_share", "_asked"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _fact_types(data: CatalogueData, site_types: dict[str, str]) -> dict[str, str]:
    """The vocabulary of the facts' rules: the site features, plus the worker counts that a
    catalogue without those worker indicators lacks (always unknown there)."""
    types = dict(site_types)
    for spec in data.settings.facts.values():
        for column in spec.columns:
            if column not in types and column.startswith("workers_"):
                types[column] = "number"
    return types


def _facts_of_columns(data: CatalogueData, types: dict[str, str]) -> dict[str, set[str]]:
    """Column -> the facts it observes; every column named in ``facts`` must exist."""
    of: dict[str, set[str]] = {}
    for fact, spec in data.settings.facts.items():
        for column in spec.columns:
            if column not in types:
                raise CatalogueError(
                    "catalogue.yaml", f"fact '{fact}' names unknown column '{column}'."
                )
            of.setdefault(column, set()).add(fact)
    return of


def compile_catalogue(data: CatalogueData) -> Catalogue:
    """Compile validated catalogue data: worker rules, then site rules over their counts.

    Raises :class:`~screening.errors.CatalogueError` naming the file and the indicator for an
    unknown sector, a rule or evidence condition that does not parse or names an unknown
    column, an evidence template with an unknown placeholder, a ``count_as`` used twice, a
    fact naming an unknown column, or a site rule that observes no fact (it could never be
    counted once).
    """
    worker_types = worker_feature_types()
    counts: dict[str, str] = {}
    worker: list[CompiledIndicator] = []
    for path, ind in data.indicators:
        _check_sectors(path, ind)
        if ind.level != "worker":
            continue
        if ind.count_as in counts:
            raise CatalogueError(
                path, f"count_as '{ind.count_as}' is also used by '{counts[ind.count_as]}'.",
                ind.id)
        counts[str(ind.count_as)] = ind.id
        rule = _compile(path, ind, ind.rule, worker_types, "rule")
        worker.append(CompiledIndicator(ind, str(path), rule, ()))
    site_types = site_feature_types(counts)
    fact_types = _fact_types(data, site_types)
    fact_of = _facts_of_columns(data, fact_types)
    present = []
    for name in sorted(data.settings.facts):
        try:
            present.append((name, compile_rule(data.settings.facts[name].present, fact_types)))
        except ExpressionError as exc:
            raise CatalogueError("catalogue.yaml", f"fact '{name}': 'present' does not "
                                                   f"compile: {exc}") from exc
    site: list[CompiledIndicator] = []
    for path, ind in data.indicators:
        if ind.level != "site":
            continue
        rule = _compile(path, ind, ind.rule, site_types, "rule")
        whens = tuple(
            _compile(path, ind, ev.when, site_types, "evidence condition") if ev.when else None
            for ev in ind.evidence
        )
        _check_templates(path, ind, site_types)
        facts = frozenset(f for c in rule.columns for f in fact_of.get(_base_column(c), ()))
        if not facts:
            raise CatalogueError(path, "the rule observes no fact of catalogue.yaml's 'facts': "
                                       "name the fact its columns observe there.", ind.id)
        site.append(CompiledIndicator(ind, str(path), rule, whens, facts))
    for path, ind in data.indicators:
        if ind.level == "worker":
            _check_templates(path, ind, site_types)
    return Catalogue(
        settings=data.settings,
        groups=tuple(g for _, g in data.groups),
        worker=tuple(worker),
        site=tuple(site),
        fingerprint=data.fingerprint,
        site_types=site_types,
        worker_types=worker_types,
        facts=tuple(present),
    )


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Load, validate and compile the catalogue; the bundled one once per process.

    Raises :class:`~screening.errors.CatalogueError` (also an
    :class:`indicators.CatalogueError`), naming the file and the indicator, for anything
    :func:`indicators.read_catalogue` or :func:`compile_catalogue` refuses.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> len(cat.site) > 20 and all(i.spec.evidence for i in cat.indicators)
    True
    >>> load_catalogue() is cat  # compiled once, shared
    True
    """
    if directory is None:
        return _bundled()
    return _load(Path(directory))


@functools.cache
def _bundled() -> Catalogue:
    return _load(None)


def _load(directory: Path | None) -> Catalogue:
    try:
        data = read_catalogue(directory)
    except CatalogueError:
        raise
    except _SpecError as exc:
        raise CatalogueError(exc.file, exc.reason, exc.indicator) from exc
    return compile_catalogue(data)


__all__ = ["Catalogue", "CompiledIndicator", "compile_catalogue", "load_catalogue"]
