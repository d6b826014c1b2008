"""Load and validate the indicator catalogue as data (the YAML files in ``indicators/data``).

This checks structure (the pydantic schema) and references inside the catalogue (unique ids,
source keys that the settings file defines). It compiles nothing and imports nothing from the
engine: :mod:`screening.rules.catalogue` compiles the rules and checks the column names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from indicators.errors import CatalogueError
from indicators.schema import Group, Indicator, Settings

DATA_DIR = Path(__file__).parent / "data"
SETTINGS_FILE = "catalogue.yaml"
# libyaml's safe loader when PyYAML was built with it (several times faster), else pure Python
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class CatalogueData:
    """The catalogue as validated data: settings, groups with their files, a fingerprint.

    Attributes
    ----------
    settings : Settings
        ``catalogue.yaml``: tier policy, sources, notes.
    groups : tuple of (Path, Group)
        One entry per indicator file, in file-name order.
    fingerprint : str
        sha256 over every file's name and bytes (a model card records it).
    """

    settings: Settings
    groups: tuple[tuple[Path, Group], ...]
    fingerprint: str

    @property
    def indicators(self) -> list[tuple[Path, Indicator]]:
        """Every indicator with the file it comes from, in file order."""
        return [(path, ind) for path, group in self.groups for ind in group.indicators]


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


def read_catalogue(directory: str | Path | None = None) -> CatalogueData:
    """Read and validate every YAML file of the catalogue (no rule is compiled here).

    Raises :class:`CatalogueError`, naming the file and the indicator, for: YAML that does not
    parse, a field that breaks the schema, a duplicate id, and a framework reference to an
    unknown source key.

    Examples
    --------
    >>> data = read_catalogue()
    >>> len(data.indicators) > 40 and data.settings.sources["s1"].startswith("ILO")
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
    return CatalogueData(settings=settings, groups=tuple(groups), fingerprint=digest.hexdigest())


__all__ = ["DATA_DIR", "SETTINGS_FILE", "CatalogueData", "CatalogueError", "read_catalogue"]
