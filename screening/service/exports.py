"""The stored follow-up list as a download: one use-case for the list page's export and the
API's, so both give the same file.

For people (``lang`` given) the rows get what a reader needs beside the list's own columns:
the notes of each visit's latest review that has notes, the fired indicators' names and the
reasons in the reader's language. The reasons are written again by the rules in that language
from the stored records (as the visit page does), led by the escalation note where the model
raised the visit; stored reasons are kept where a visit cannot be read again. For machines
(no ``lang``) the rows are the stored list's, unchanged (DESIGN.md's contract).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from screening.outputs.exports import Download, StreamedDownload, list_csv_stream, list_download
from screening.service.context import Services
from screening.service.follow_up import export_frames, export_rows, follow_up_list, list_filters
from screening.store.frames import stored_frames
from screening.store.reviews import review_notes
from screening.translation import N_, gettext

log = logging.getLogger("screening.service")
RAISED_NOTE = N_("{note} (risk score {score})")


def reasons_in(services: Services, rows: list[dict[str, Any]], lang: str) -> dict[str, str]:
    """Each row's reasons in ``lang``, by visit id, written again by the rules in that
    language from the stored visits and interviews (with the escalation note where the stored
    reasons start with it)."""
    wanted = {row["visit_id"] for row in rows}
    visits, interviews = stored_frames(services.engine)
    keep = visits["visit_id"].isin(wanted).to_numpy()
    visits = visits.loc[keep].reset_index(drop=True)
    interviews = interviews.loc[interviews["visit_id"].isin(wanted).to_numpy()]
    interviews = interviews.reset_index(drop=True)
    if len(visits) == 0:
        return {}
    result = services.rules(lang).run(visits, interviews)
    written = dict(zip(visits["visit_id"], result.reasons, strict=True))
    note = services.catalogue.settings.escalation_note
    if note is not None:
        for row in rows:
            stored, score = row.get("reasons") or "", row.get("risk_score")
            if stored.startswith(note.en) and row["visit_id"] in written and score is not None:
                shown = format(float(score), ".2f")
                raised = gettext(lang, RAISED_NOTE, note=getattr(note, lang), score=shown)
                written[row["visit_id"]] = f"{raised} {written[row['visit_id']]}".strip()
    return written


def follow_up_download(services: Services, fmt: str, *, lang: str | None = None,
                       sort: str = "priority", now: dt.datetime | None = None,
                       **filters: Any) -> tuple[int, Download | StreamedDownload]:
    """(rows, file) of the filtered follow-up list as CSV or XLSX: for people in ``lang``
    (``en``/``az``), or for machines without it (see the module docstring; the machines' CSV
    is streamed in keyset chunks). ``filters`` are
    :func:`~screening.service.follow_up.list_filters`'s (region, sector, tier, status,
    date_from, date_to, q); a bad one raises its :class:`~screening.errors.StoreError`."""
    chosen = list_filters(**filters)
    moment = now or services.settings.now()
    total = follow_up_list(services.engine, chosen, sort=sort, per_page=1, now=moment)["total"]
    if lang is None and fmt == "csv":
        return total, list_csv_stream(export_frames(services.engine, chosen, sort=sort,
                                                    now=moment))
    rows = export_rows(services.engine, chosen, sort=sort, now=moment)
    if lang is None:
        return total, list_download(rows, fmt)
    notes = review_notes(services.engine, [row["visit_id"] for row in rows])
    try:
        reasons = reasons_in(services, rows, lang) if lang != "en" else {}
    except Exception:  # noqa: BLE001 - the stored (English) reasons are still exported
        log.exception("Could not write the reasons again in %s for the export.", lang)
        reasons = {}
    for row in rows:
        row["review_notes"] = notes.get(row["visit_id"])
        row["reasons"] = reasons.get(row["visit_id"], row.get("reasons"))
    names = {ind.id: getattr(ind.spec.name, lang) for ind in services.catalogue.indicators}
    return total, list_download(rows, fmt, lang=lang, names=names)


__all__ = ["follow_up_download", "reasons_in"]
