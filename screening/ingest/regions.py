"""The country's regions: an upload's ``region`` names one of them (issue 12, item 6).

The follow-up list's filter offered both "Shaki" and "Shaki-Zagatala" because region was free
text. A configured list (``SCREENING_REGIONS``: Azerbaijan's 14 economic regions unless a file
says otherwise) now holds the names: a region is matched ignoring capitals, spaces and hyphens
and in its other spellings (``Şəki-Zaqatala``), stored as the configured name and reported
(:class:`~screening.ingest.interpretations.Reading` ``region``); a region that matches none is
refused with the closest name suggested (``'Shaki' ... Did you mean 'Shaki-Zagatala'?``). A
town or district is never mapped to its region silently: the suggestion names the region it
belongs to, the inspector decides.

A regions file is UTF-8 text, one region per line: the name to store first, then other
spellings accepted for it after ``|``, then, after ``:``, towns and districts in it (used only
for suggestions). Empty lines and lines starting with ``#`` are skipped::

    Shaki-Zagatala | Şəki-Zaqatala | Sheki-Zagatala : Balakan, Gakh, Gabala, Oguz, Shaki
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from screening.errors import SettingsError
from screening.ingest.local import fold

AZERBAIJAN = """\
# Azerbaijan's 14 economic regions: Decree of the President of the Republic of Azerbaijan "On
# the new division of economic regions in the Republic of Azerbaijan" of 7 July 2021
# (summary with the districts of each: http://old.gratanet.com/news/president-azerbaijan-
# adopted-new-division-of-economic-regions). English name | Azerbaijani | other spellings :
# the towns and districts in it.
Baku | Bakı : Baku city
Nakhchivan | Naxçıvan | Nakhichevan : Babek, Julfa, Kangarli, Ordubad, Sadarak, Shahbuz, Sharur
Absheron-Khizi | Abşeron-Xızı : Sumgayit, Absheron, Khizi
Mountainous Shirvan | Dağlıq Şirvan | Daghlig Shirvan : Agsu, Ismayilli, Gobustan, Shamakhi
Ganja-Dashkasan | Gəncə-Daşkəsən : Ganja, Naftalan, Dashkasan, Goranboy, Goygol, Samukh
Karabakh | Qarabağ : Khankendi, Aghjabadi, Aghdam, Barda, Fuzuli, Khojaly, Khojavend, Shusha, Tartar
Gazakh-Tovuz | Qazax-Tovuz : Agstafa, Gadabay, Gazakh, Shamkir, Tovuz
Guba-Khachmaz | Quba-Xaçmaz | Quba-Khachmaz : Khachmaz, Guba, Gusar, Siyazan, Shabran
Lankaran-Astara | Lənkəran-Astara : Astara, Jalilabad, Lerik, Lankaran, Masalli, Yardimli
Central Aran | Mərkəzi Aran : Mingachevir, Agdash, Goychay, Kurdamir, Ujar, Yevlakh, Zardab
Mil-Mughan | Mil-Muğan | Mil-Mugan : Beylagan, Imishli, Saatli, Sabirabad
Shaki-Zagatala | Şəki-Zaqatala | Sheki-Zagatala : Balakan, Gakh, Gabala, Oguz, Shaki, Zagatala
East Zangezur | Şərqi Zəngəzur | East Zangazur : Jabrayil, Kalbajar, Gubadli, Lachin, Zangilan
Shirvan-Salyan | Şirvan-Salyan : Shirvan, Bilasuvar, Hajigabul, Neftchala, Salyan
"""
"""The built-in regions (``SCREENING_REGIONS=azerbaijan``, the default)."""


@dataclass(frozen=True)
class Regions:
    """The configured regions: names to store, other spellings, and towns for suggestions."""

    names: tuple[str, ...]
    spellings: dict[str, str] = field(default_factory=dict)
    """Folded spelling (see :func:`~screening.ingest.local.fold`) -> the name to store."""
    towns: dict[str, str] = field(default_factory=dict)
    """Folded town or district -> its region's name (suggestions only)."""

    @classmethod
    def parse(cls, text: str, source: str = "regions") -> Regions:
        """Read regions from the file format above; SettingsError if none is found.

        >>> Regions.parse("Shaki-Zagatala | Şəki-Zaqatala : Shaki").suggest("shaki")
        'Shaki-Zagatala'
        """
        names, spellings, towns = [], {}, {}
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, _, places = line.partition(":")
            forms = [f.strip() for f in head.split("|") if f.strip()]
            if not forms:
                raise SettingsError(f"{source}: the line {line!r} names no region.")
            names.append(forms[0])
            for form in forms:
                spellings[_folded(form)] = forms[0]
            for place in places.split(","):
                if place.strip():
                    towns[_folded(place)] = forms[0]
        if not names:
            raise SettingsError(f"{source}: no region is listed (one per line).")
        return cls(tuple(names), spellings, towns)

    def match(self, values: pa.Array) -> np.ndarray:
        """The name to store for each of ``values`` (None where none matches); a ``?`` where
        Windows-1254 lost an ``ə`` is read as ``ə``."""
        keys = pa.array(list(self.spellings), pa.string())
        found = np.array([*self.spellings.values(), None], dtype=object)
        folded = fold(values)
        where = pc.coalesce(pc.index_in(folded, value_set=keys),
                            pc.index_in(pc.replace_substring(folded, "?", "ə"), value_set=keys),
                            len(keys))  # fmt: skip
        return found[where.to_numpy(zero_copy_only=False)]

    def suggest(self, value: str) -> str | None:
        """The configured name closest to ``value``: the region of a town or district it
        names, else the closest name or part of a name (``Shaki`` -> ``Shaki-Zagatala``)."""
        key = _folded(value)
        if key in self.towns:
            return self.towns[key]
        parts = {part: name for spelling, name in self.spellings.items()
                 for part in [spelling, *spelling.split("_")] if len(part) > 2}
        close = difflib.get_close_matches(key, list(parts), n=1, cutoff=0.6)
        if close:
            return parts[close[0]]
        near = difflib.get_close_matches(key, list(self.towns), n=1, cutoff=0.75)
        return self.towns[near[0]] if near else None


def _folded(text: str) -> str:
    return str(fold(pa.array([text], pa.string()))[0].as_py())


def configured(setting: str, source: str = "SCREENING_REGIONS") -> Regions | None:
    """The regions a setting names: ``azerbaijan`` (built in), ``any`` (None: any region is
    accepted), or the path of a regions file.

    >>> configured("any") is None, len(configured("azerbaijan").names)
    (True, 14)
    """
    value = setting.strip()
    if value.lower() == "any":
        return None
    if value.lower() in ("", "azerbaijan"):
        return Regions.parse(AZERBAIJAN, "the built-in regions")
    path = Path(value).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{source}={setting!r} cannot be used: the regions file could not "
                            f"be read ({error}).") from None
    return Regions.parse(text, f"{source}={setting!r}")


__all__ = ["AZERBAIJAN", "Regions", "configured"]
