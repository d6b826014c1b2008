"""The notifier against a local webhook and a local SMTP server on 127.0.0.1 (started here),
including with the receiver down: nothing is lost, it is delivered when the receiver returns."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from referralkit import services_on, upload_urgent

from screening.service import notifier
from screening.store import referrals as repo

HOUR = dt.timedelta(hours=1)


class Webhook:
    """A local HTTP server that keeps the JSON bodies POSTed to it."""

    def __init__(self, port: int = 0, status: int = 204) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((self.headers["X-Screening-Event"], json.loads(body)))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webhook():
    hook = Webhook()
    yield hook
    hook.stop()


def test_events_are_delivered_to_the_webhook_once(store, tmp_path, webhook):
    svc = services_on(store, tmp_path, notify_webhook_url=webhook.url)
    upload_urgent(svc)
    now = svc.settings.now()
    result = notifier.run_once(svc, now)
    assert (result.delivered, result.failed, result.waiting) == (3, 0, 0)
    keys = [k for k, _ in webhook.received]
    assert sorted(keys) == sorted(f"case_opened:{c['case_id']}" for c in repo.cases(store))
    body = dict(webhook.received)[keys[0]]
    assert body["kind"] == "case_opened" and body["visit_id"] in ("R1", "R3", "R4")
    assert "Referral case" in body["summary"] and "Yönləndirmə" in body["summary"]
    assert notifier.run_once(svc, now + HOUR).delivered == 0, "delivered events are not resent"
    late = notifier.run_once(svc, now + 25 * HOUR)
    assert (late.overdue_events, late.delivered) == (3, 3)
    overdue = [b for k, b in webhook.received if k.startswith("case_overdue:")]
    assert len(overdue) == 3 and "OVERDUE" in overdue[0]["summary"]
    _, events = repo.outbox(store)
    assert all(e["delivered_to"] == webhook.url for e in events)


def test_with_the_receiver_down_nothing_is_lost(store, tmp_path):
    port = free_port()
    svc = services_on(store, tmp_path, notify_webhook_url=f"http://127.0.0.1:{port}/hook",
                      notify_retry_seconds=30)
    upload_urgent(svc)
    now = svc.settings.now()
    down = notifier.run_once(svc, now)
    assert (down.delivered, down.failed, down.waiting) == (0, 3, 3)
    _, events = repo.outbox(store)
    assert all(e["attempts"] == 1 and "Error" in e["last_error"] for e in events)
    assert all(e["next_attempt_at"] == now + dt.timedelta(seconds=30) for e in events)
    assert notifier.run_once(svc, now + dt.timedelta(seconds=10)).failed == 0, "back-off waits"
    again = notifier.run_once(svc, now + dt.timedelta(seconds=31))
    assert (again.failed, again.waiting) == (3, 3)
    _, events = repo.outbox(store)
    assert all(e["attempts"] == 2 for e in events)
    assert all(e["next_attempt_at"] == now + dt.timedelta(seconds=91) for e in events), (
        "the second wait doubles")
    hook = Webhook(port)
    try:
        back = notifier.run_once(svc, now + dt.timedelta(seconds=92))
    finally:
        hook.stop()
    assert (back.delivered, back.failed, back.waiting) == (3, 0, 0)
    assert len(hook.received) == 3


def test_an_error_status_is_a_failure(store, tmp_path):
    hook = Webhook(status=500)
    try:
        svc = services_on(store, tmp_path, notify_webhook_url=hook.url)
        upload_urgent(svc)
        result = notifier.run_once(svc)
    finally:
        hook.stop()
    assert (result.delivered, result.failed, result.waiting) == (0, 3, 3)


def test_without_a_channel_the_outbox_keeps_the_events(store, tmp_path):
    svc = services_on(store, tmp_path)
    upload_urgent(svc)
    result = notifier.run_once(svc, svc.settings.now() + 25 * HOUR)
    assert not result.configured and result.delivered == result.failed == 0
    assert result.waiting == 6 and result.overdue_events == 3
    waiting, events = repo.outbox(store, undelivered=True)
    assert waiting == 6 and all(e["attempts"] == 0 for e in events)


def test_events_are_delivered_by_e_mail(store, tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    inbox = []

    class Keep(Message):
        def handle_message(self, message):
            inbox.append(message)

    port = free_port()
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        svc = services_on(store, tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                          notify_email_to="referrals@example.org, duty@example.org",
                          smtp_from="screening@example.org")
        upload_urgent(svc)
        result = notifier.run_once(svc)
    finally:
        controller.stop()
    assert (result.delivered, result.failed) == (3, 0)
    assert len(inbox) == 3
    message = inbox[0]
    assert message["To"] == "referrals@example.org, duty@example.org"
    assert message["From"] == "screening@example.org"
    assert message["Subject"].startswith("Referral case")
    assert message["X-Screening-Event"].startswith("case_opened:")
    assert "suggested: ['special_police'" in message.get_payload()


def test_smtp_down_then_back(store, tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    port = free_port()
    svc = services_on(store, tmp_path, smtp_host="127.0.0.1", smtp_port=port,
                      notify_email_to="duty@example.org")
    upload_urgent(svc)
    now = svc.settings.now()
    assert notifier.run_once(svc, now).failed == 3
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        back = notifier.run_once(svc, now + HOUR)
    finally:
        controller.stop()
    assert (back.delivered, back.waiting) == (3, 0)
