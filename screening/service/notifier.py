"""Deliver the outbox: referral events by e-mail (SMTP) and to a webhook, retried with back-off.

Opening a case and a case becoming overdue each write an event to the outbox in the store, in
the same transaction as what they report, so an event is never lost: it stays in the outbox
until a delivery succeeds. :func:`run_once` first writes the events of cases that have become
overdue, then tries every event that is due; a failure is recorded with its error and tried
again later, the wait doubling from ``SCREENING_NOTIFY_RETRY_SECONDS`` up to an hour. Delivery
is at least once: a receiver may see an event again (the ``X-Screening-Event`` header and the
``key`` field name it). With no e-mail and no webhook configured nothing is sent and the
outbox is shown on the dashboard.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import threading
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from screening.service.context import Services
from screening.service.referrals import sweep_overdue
from screening.service.upload_history import purge_kept_files
from screening.settings import Settings
from screening.store import referrals as store

log = logging.getLogger("screening.notifier")
MAX_WAIT = 3600.0
"""The longest wait between two attempts, in seconds."""
TIMEOUT = 10.0
"""Seconds to wait for a receiver before the attempt counts as failed."""
SUBJECTS = {
    store.CASE_OPENED: ("Referral case {case_id} opened: visit {visit_id}, due {due_at}",
                        "Yönləndirmə işi {case_id} açıldı: yoxlama {visit_id}, son vaxt "
                        "{due_at}"),
    store.CASE_OVERDUE: ("OVERDUE referral case {case_id}: visit {visit_id} was due {due_at}",
                         "GECİKMİŞ yönləndirmə işi {case_id}: yoxlama {visit_id}, son vaxt "
                         "{due_at} idi"),
}


@dataclass(frozen=True)
class RunResult:
    """What one run of the notifier did."""

    overdue_events: int
    delivered: int
    failed: int
    waiting: int
    configured: bool


def channels(settings: Settings) -> list[str]:
    """The delivery channels configured: ``webhook`` and/or ``email``.

    >>> channels(Settings(notify_webhook_url="http://127.0.0.1:9/x"))
    ['webhook']
    >>> channels(Settings())
    []
    """
    out = []
    if settings.notify_webhook_url.strip():
        out.append("webhook")
    if settings.smtp_host.strip() and settings.notify_email_to.strip():
        out.append("email")
    return out


def backoff(attempts: int, first: float) -> float:
    """Seconds to wait after the ``attempts``-th failure: ``first`` doubled each time, at most
    an hour.

    >>> [backoff(n, 30) for n in (1, 2, 3)], backoff(20, 30)
    ([30.0, 60.0, 120.0], 3600.0)
    """
    return float(min(first * 2 ** max(attempts - 1, 0), MAX_WAIT))


def subject(event: dict[str, Any]) -> str:
    """The event's one-line summary in English and Azerbaijani."""
    values = {"case_id": event.get("case_id"), **event["payload"]}
    en, az = SUBJECTS.get(event["kind"], ("{kind}", "{kind}"))
    return f"{en.format(kind=event['kind'], **values)} / {az.format(kind=event['kind'], **values)}"


def _webhook(event: dict[str, Any], url: str) -> str:
    body = json.dumps({"key": event["key"], "kind": event["kind"], "case_id": event["case_id"],
                       "summary": subject(event), **event["payload"]}).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Screening-Event": event["key"]})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - a setting
        if not 200 <= response.status < 300:
            raise OSError(f"The webhook answered {response.status}.")
    return url


def _email(event: dict[str, Any], settings: Settings) -> str:
    message = EmailMessage()
    message["Subject"] = subject(event)
    message["From"] = settings.smtp_from
    recipients = [a.strip() for a in settings.notify_email_to.split(",") if a.strip()]
    message["To"] = ", ".join(recipients)
    message["X-Screening-Event"] = event["key"]
    payload = event["payload"]
    lines = [subject(event), ""] + [f"{k}: {v}" for k, v in payload.items()]
    message.set_content("\n".join(lines))
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
    return "mailto:" + ",".join(recipients)


def deliver(event: dict[str, Any], settings: Settings) -> str:
    """Send one event on every configured channel; where it went (raises on any failure)."""
    where = []
    if "webhook" in channels(settings):
        where.append(_webhook(event, settings.notify_webhook_url.strip()))
    if "email" in channels(settings):
        where.append(_email(event, settings))
    return " ".join(where)


def run_once(services: Services, now: dt.datetime | None = None) -> RunResult:
    """Write the overdue events, then try each due event once (see the module docstring).

    Parameters
    ----------
    services : Services
    now : datetime, optional
        The service's clock (default :meth:`Settings.now`).
    """
    settings = services.settings
    now = now or settings.now()
    overdue = sweep_overdue(services, now)
    delivered = failed = 0
    configured = bool(channels(settings))
    if configured:
        for event in store.pending_events(services.engine, now):
            try:
                where = deliver(event, settings)
            except Exception as exc:  # noqa: BLE001 - any failure: keep the event, retry later
                wait = backoff(event["attempts"] + 1, settings.notify_retry_seconds)
                store.record_attempt(services.engine, event["id"], now=now,
                                     error=f"{type(exc).__name__}: {exc}",
                                     retry_at=now + dt.timedelta(seconds=wait))
                failed += 1
            else:
                store.record_attempt(services.engine, event["id"], now=now, delivered_to=where)
                delivered += 1
    waiting, _ = store.outbox(services.engine, limit=1)
    return RunResult(overdue, delivered, failed, waiting, configured)


def run_forever(services: Services, every: float = 60.0,
                stop: threading.Event | None = None) -> None:
    """Run :func:`run_once` every ``every`` seconds until ``stop`` is set; each round also
    deletes the uploaded files kept past their time (:func:`purge_kept_files`)."""
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            run_once(services)
            purge_kept_files(services)
        except Exception:  # noqa: BLE001 - the store was unreachable: the events wait, try later
            log.exception("The notifier's round failed; it runs again in %s s.", every)
        stop.wait(every)


__all__ = ["RunResult", "backoff", "channels", "deliver", "run_forever", "run_once", "subject"]
