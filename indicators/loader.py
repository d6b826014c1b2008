"""Load, validate and compile the indicator catalogue (the YAML files in ``indicators/data``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from indicators.schema import Group, Indicator, Settings
from screening.evidence import PLACEHOLDER
from screening.expr import CompiledRule, ExpressionError, compile_rule
from screening.features import site_feature_types, worker_feature_types

DATA_DIR = Path(__file__).parent / "data"
SETTINGS_FILE = "catalogue.yaml"
# libyaml's safe loader when PyYAML was built with it (several times faster), else pure Python
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    """The catalogue cannot be used. Names the ``file`` and, where known, the ``indicator``."""

    def __init__(self, file: str | Path, reason: str, indicator: str | None = None):
        self.file = str(file)
        self.indicator = indicator
        self.reason = reason
        where = f"{self.file}, indicator '{indicator}'" if indicator else self.file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class CompiledIndicator:
    """An indicator with its rule and evidence conditions compiled once."""

    spec: Indicator
    file: str
    rule: CompiledRule
    evidence_when: tuple[CompiledRule | None, ...]

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

    @property
    def indicators(self) -> tuple[CompiledIndicator, ...]:
        """Every indicator, worker-level first."""
        return self.worker + self.site

    def get(self, indicator_id: str) -> CompiledIndicator:
        """The indicator with this id (KeyError naming close matches otherwise)."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        import difflib

        close = difflib.get_close_matches(indicator_id, [i.id for i in self.indicators], n=3)
        raise KeyError(
            f"No indicator '{indicator_id}'." + (f" Did you mean {close}?" if close else "")
        )


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        raise CatalogueError(path, f"not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(path, f"not UTF-8 text: {exc}") from exc


def _validation_error(path: Path, data: Any, exc: ValidationError) -> CatalogueError:
    first = exc.errors()[0]
    loc = list(first["loc"])
    indicator = None
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        try:
            indicator = str(data["indicators"][loc[1]].get("id", f"#{loc[1] + 1}"))
        except (KeyError, IndexError, TypeError, AttributeError):
            indicator = f"#{loc[1] + 1}"
        loc = loc[2:]
    where = ".".join(str(p) for p in loc) or "(top level)"
    more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return CatalogueError(path, f"field '{where}': {first['msg']}{more}", indicator)


def _compile(
    path: Path, ind: Indicator, text: str, types: dict[str, str], what: str
) -> CompiledRule:
    try:
        return compile_rule(text, types)
    except ExpressionError as exc:
        raise CatalogueError(path, f"the {what} does not compile: {exc}", ind.id) from exc


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


def load_catalogue(directory: str | Path | None = None) -> Catalogue:
    """Load and validate every YAML file of the catalogue and compile its rules.

    Raises :class:`CatalogueError`, naming the file and the indicator, for: YAML that does not
    parse, a field that breaks the schema (including an unknown sector), a duplicate id, a rule
    or evidence condition that does not parse or names an unknown column, an evidence template
    with an unknown placeholder, and a framework reference to an unknown source key.

    Examples
    --------
    >>> cat = load_catalogue()
    >>> len(cat.site) > 20 and all(i.spec.evidence for i in cat.indicators)
    True
    """
    directory = Path(directory) if directory is not None else DATA_DIR
    settings_path = directory / SETTINGS_FILE
    if not settings_path.exists():
        raise CatalogueError(settings_path, "the catalogue settings file is missing.")
    try:
        settings = Settings.model_validate(_read_yaml(settings_path))
    except ValidationError as exc:
        raise _validation_error(settings_path, None, exc) from exc
    digest = hashlib.sha256()
    groups: list[tuple[Path, Group]] = []
    seen: dict[str, Path] = {}
    files = sorted(p for p in directory.glob("*.yaml") if p.name != SETTINGS_FILE)
    if not files:
        raise CatalogueError(directory, "no indicator files (*.yaml) found.")
    for path in [settings_path, *files]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in files:
        data = _read_yaml(path)
        try:
            group = Group.model_validate(data)
        except ValidationError as exc:
            raise _validation_error(path, data, exc) from exc
        for ind in group.indicators:
            if ind.id in seen:
                raise CatalogueError(
                    path, f"duplicate id; it is also defined in {seen[ind.id]}.", ind.id
                )
            seen[ind.id] = path
            for ref in ind.frameworks:
                for key in ref.sources:
                    if key not in settings.sources:
                        raise CatalogueError(path, f"unknown source key '{key}'.", ind.id)
        groups.append((path, group))
    worker_types = worker_feature_types()
    counts: dict[str, str] = {}
    worker: list[CompiledIndicator] = []
    for path, group in groups:
        for ind in group.indicators:
            if ind.level != "worker":
                continue
            if ind.count_as in counts:
                raise CatalogueError(
                    path,
                    f"count_as '{ind.count_as}' is also used by '{counts[ind.count_as]}'.",
                    ind.id,
                )
            counts[str(ind.count_as)] = ind.id
            rule = _compile(path, ind, ind.rule, worker_types, "rule")
            worker.append(CompiledIndicator(ind, str(path), rule, ()))
    site_types = site_feature_types(counts)
    site: list[CompiledIndicator] = []
    for path, group in groups:
        for ind in group.indicators:
            if ind.level != "site":
                continue
            rule = _compile(path, ind, ind.rule, site_types, "rule")
            whens = tuple(
                _compile(path, ind, ev.when, site_types, "evidence condition") if ev.when else None
                for ev in ind.evidence
            )
            _check_templates(path, ind, site_types)
            site.append(CompiledIndicator(ind, str(path), rule, whens))
    for path, group in groups:
        for ind in group.indicators:
            if ind.level == "worker":
                _check_templates(path, ind, site_types)
    return Catalogue(
        settings=settings,
        groups=tuple(g for _, g in groups),
        worker=tuple(worker),
        site=tuple(site),
        fingerprint=digest.hexdigest(),
        site_types=site_types,
        worker_types=worker_types,
    )


__all__ = ["DATA_DIR", "Catalogue", "CatalogueError", "CompiledIndicator", "load_catalogue"]
