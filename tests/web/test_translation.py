"""The gettext catalogues: every string the code and the pages use has its Azerbaijani, the
fields of each translation match the English, plural forms, the browser's language on a first
visit, and numbers and dates in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from screening import translation
from screening.translation import (
    LOCALE_DIR,
    catalogue,
    gettext,
    has_text,
    missing,
    negotiate,
    ngettext,
    text,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "screening"
TEMPLATES = PACKAGE / "web" / "templates"
# Python: N_("...") marks, gettext(lang, "..."), ngettext(lang, "one", "many", n).
PY_KEYWORDS = {"N_": None, "gettext": (2,), "ngettext": (2, 3)}
# Templates: _("..."), ngettext("one", "many", n).
JINJA_KEYWORDS = {"_": None, "ngettext": (1, 2)}


def _fields(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def _extracted(package: Path = PACKAGE, templates: Path = TEMPLATES,
               ) -> list[tuple[str, int, str]]:
    """(file, line, English id) of every marked string in the package and its templates."""
    found = []
    for path, line, message, _, _ in extract_from_dir(
            str(package), method_map=[("**.py", "python")], keywords=PY_KEYWORDS):
        found.extend((path, line, m) for m in (message if isinstance(message, tuple)
                                               else (message,)) if m)
    for path, line, message, _, _ in extract_from_dir(
            str(templates), method_map=[("**.html", "jinja2.ext:babel_extract")],
            keywords=JINJA_KEYWORDS):
        found.extend((f"templates/{path}", line, m) for m in (
            message if isinstance(message, tuple) else (message,)) if m)
    return found


def test_no_catalogue_entry_is_fuzzy_or_empty():
    assert missing("az") == []


def test_the_extraction_finds_each_way_of_marking_a_string(tmp_path):
    (tmp_path / "m.py").write_text(
        'from screening.translation import N_, gettext, ngettext\n'
        'A = N_("Marked {x}")\nB = gettext("az", "Said")\n'
        'C = ngettext("az", "{n} row", "{n} rows", 2)\n')
    (tmp_path / "p.html").write_text('<p>{{ _("On a page") }} {{ ngettext("a", "b", 2) }}</p>')
    found = sorted(m for _, _, m in _extracted(tmp_path, tmp_path))
    assert found == ["Marked {x}", "On a page", "Said", "a", "b", "{n} row", "{n} rows"]


def test_every_marked_string_in_code_and_pages_has_its_azerbaijani():
    cat = catalogue("az")
    plain = set(cat.plain)
    plurals = {v[1] for v in (m.id for f in (LOCALE_DIR / "az" / "LC_MESSAGES").glob("*.po")
                             for m in read_po(f.open("rb")) if isinstance(m.id, tuple))}
    untranslated = [f"{path}:{line}: {msg!r}" for path, line, msg in _extracted()
                    if msg not in plain and msg not in plurals]
    assert untranslated == [], "\n".join(untranslated)


KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""")
PY_KEY_CALL = re.compile(r"""translate\([^,()]+,\s*["']([a-z0-9_]+)["']"""
                         r"""|WebError\(\s*\d+,\s*["']([a-z0-9_]+)["']""")


def test_every_named_page_string_exists():
    used = set()
    for path in TEMPLATES.glob("*.html"):
        used |= {(path.name, k) for k in KEY_CALL.findall(path.read_text())}
    for path in (PACKAGE / "web").glob("*.py"):
        for a, b in PY_KEY_CALL.findall(path.read_text()):
            used.add((path.name, a or b))
    assert len(used) > 200
    unknown = sorted(f"{where}: {key}" for where, key in used if not has_text(key))
    assert unknown == []


def test_each_translation_has_the_fields_of_its_english():
    wrong = []
    for path in (LOCALE_DIR / "az" / "LC_MESSAGES").glob("*.po"):
        for m in read_po(path.open("rb"), locale="az"):
            if not m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            english = set().union(*(_fields(i) for i in ids)) - {"n"}
            for s in strings:
                if _fields(s) - {"n"} != english:
                    wrong.append(f"{path.name}: {m.context or ''} {m.id!r} -> {s!r}")
    assert wrong == []


def test_every_value_of_a_named_family_has_its_string():
    from indicators.tiers import TIER_ORDER
    from screening.ingest.records import SECTORS
    from screening.vocabulary import REVIEW_STATUSES, ROLES

    families = {"tier_": TIER_ORDER, "sector_": SECTORS, "role_": ROLES,
                "status_": REVIEW_STATUSES}
    absent = [prefix + value for prefix, values in families.items() for value in values
              if not has_text(prefix + value)]
    assert absent == []


def test_a_keyed_string_in_both_languages():
    assert text("en", "tier_urgent") == "urgent"
    assert text("az", "tier_urgent") == "təcili"
    assert text("az", "receipt_of", id=3, name="v.csv").count("v.csv") == 1
    with pytest.raises(KeyError):
        text("az", "no_such_key")


def test_plural_forms_follow_the_catalogue(tmp_path, monkeypatch):
    folder = tmp_path / "az" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "t.po").write_text(
        'msgid ""\nmsgstr ""\n"Language: az\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "{n} row rejected"\nmsgid_plural "{n} rows rejected"\n'
        'msgstr[0] "{n} sətir (tək)"\nmsgstr[1] "{n} sətir (cəm)"\n\n'
        'msgid "Upload {name}"\nmsgstr "Yükləmə {name}"\n\n'
        '#, fuzzy\nmsgid "Half done"\nmsgstr "Yarı"\n', encoding="utf-8")
    monkeypatch.setattr(translation, "LOCALE_DIR", tmp_path)
    translation.catalogue.cache_clear()
    try:
        assert ngettext("az", "{n} row rejected", "{n} rows rejected", 1) == "1 sətir (tək)"
        assert ngettext("az", "{n} row rejected", "{n} rows rejected", 5) == "5 sətir (cəm)"
        assert ngettext("en", "{n} row rejected", "{n} rows rejected", 5) == "5 rows rejected"
        assert gettext("az", "Upload {name}", name="a.csv") == "Yükləmə a.csv"
        # a fuzzy translation is not used, and is listed as missing
        assert gettext("az", "Half done") == "Half done"
        assert missing("az") == ["t.po: 'Half done'"]
        # an id nobody translated falls back to the English
        assert gettext("az", "Never seen {x}", x=1) == "Never seen 1"
    finally:
        translation.catalogue.cache_clear()


@pytest.mark.parametrize(("header", "expected"), [
    ("az-AZ,az;q=0.9,en;q=0.8", "az"),
    ("en-GB,en;q=0.9,az;q=0.8", "en"),
    ("ru-RU,ru;q=0.9,az;q=0.7", "az"),
    ("ru-RU,ru;q=0.9", "en"),
    ("az;q=0, en", "en"),
    ("", "en"),
    (None, "en"),
    ("az;q=abc,en;q=0.5", "en"),
])
def test_the_browsers_language_is_negotiated(header, expected):
    assert negotiate(header) == expected


def test_a_first_visit_follows_accept_language_then_the_choice(service):
    from fastapi.testclient import TestClient

    client = TestClient(service[0])
    page = client.get("/sign-in", headers={"Accept-Language": "az-AZ,az;q=0.9,en;q=0.5"})
    assert '<html lang="az">' in page.text
    client.get("/lang/en?next=/sign-in")
    page = client.get("/sign-in", headers={"Accept-Language": "az-AZ,az;q=0.9"})
    assert '<html lang="en">' in page.text


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "12,345.68 · 1.5 · 1 Mar 2025 · 1 Mar 2025, 14:05 · 5.2% · –"),
    ("az", "12.345,68 · 1,5 · 01.03.2025 · 01.03.2025 14:05 · 5,2% · –"),
])
def test_numbers_and_dates_in_the_pages_language(lang, expected):
    from screening.web.security import templates

    page = templates.from_string(
        "{{ 12345.678 | number(2) }} · {{ 1.5 | number(3, trim=true) }} · {{ d | day }} · "
        "{{ t | moment }} · {{ 0.0523 | percent(1) }} · {{ none | number }}")
    assert page.render(lang=lang, d=dt.date(2025, 3, 1),
                       t=dt.datetime(2025, 3, 1, 14, 5)) == expected
