"""An e-mail backend that fails the way mail servers do, for the retry tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


class FailingBackend(BaseEmailBackend):
    """Raises the queued failures one send at a time, then sends (into `sent`)."""

    failures: ClassVar[list[Exception]] = []
    sent: ClassVar[list[EmailMessage]] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if FailingBackend.failures:
            raise FailingBackend.failures.pop(0)
        FailingBackend.sent.extend(email_messages)
        return len(email_messages)
