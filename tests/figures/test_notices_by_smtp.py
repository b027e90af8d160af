"""A returned figure's notice reaches a real SMTP server (aiosmtpd, started by the test), once, in the official's
language; send_notices streams ten thousand notices without holding them all."""

import socket
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.management import call_command

from figures import notices, pipeline, review
from figures.models import Notice
from plans.models import Indicator

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)

    def prepare_message(self, session, envelope):
        return message_from_bytes(envelope.content)


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()


def _text(message):
    subject = str(make_header(decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return subject, body


def test_a_returned_figure_is_mailed_once_through_smtp_in_the_officials_language(
    smtp_server, plan, district, official_fuzhou, official_xiamen, reviewer
):
    official_fuzhou.email = "fuzhou@example.org"
    official_fuzhou.save()
    official_xiamen.email = "xiamen@example.org"
    official_xiamen.save()
    notices.remember_language(official_xiamen, "en")
    for user, slug, value in ((official_fuzhou, "fuzhou", "11.09"), (official_xiamen, "xiamen", "6.5")):
        figure = pipeline.record_value(
            by=user,
            indicator=Indicator.objects.get(plan=plan, code="general_high_school_enrolment"),
            district=district(slug),
            year=2025,
            value=value,
            action="submit",
            confirm=True,
            note="说明",
            reason="原因",
            measures="措施",
        )
        review.return_for_revision(observation=figure, by=reviewer, comment="请核对统计口径")
    call_command("send_notices", stdout=open("/dev/null", "w"))
    call_command("send_notices", stdout=open("/dev/null", "w"))  # idempotent
    received = {m["To"]: _text(m) for m in smtp_server.messages}
    assert len(smtp_server.messages) == 2
    subject, body = received["fuzhou@example.org"]
    assert "数据被退回" in subject and "福州 2025年" in body and "请核对统计口径" in body
    subject, body = received["xiamen@example.org"]
    assert "Figure returned" in subject and "was returned" in body and "请核对统计口径" in body


def test_ten_thousand_notices_go_in_chunks(plan, official_fuzhou, django_assert_max_num_queries):
    official_fuzhou.email = "fuzhou@example.org"
    official_fuzhou.save()
    Notice.objects.bulk_create(
        [Notice(user=official_fuzhou, plan=plan, kind="locked", year=2025) for _ in range(10_000)], batch_size=2000
    )

    class Counting:
        sent = 0
        largest = 0

        def send_messages(self, messages):
            Counting.sent += len(messages)
            Counting.largest = max(Counting.largest, len(messages))
            return len(messages)

    # Two queries per chunk of 500 (read, mark mailed) and one to find the end: never one per notice.
    with django_assert_max_num_queries(2 * 20 + 1):
        assert notices.send(connection=Counting()) == 10_000
    assert (Counting.sent, Counting.largest) == (10_000, notices.MAIL_CHUNK)
    assert not Notice.objects.filter(mailed_at__isnull=True).exists()
    assert notices.send(connection=Counting()) == 0
