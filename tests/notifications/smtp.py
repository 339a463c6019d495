"""A real SMTP server for the delivery tests: aiosmtpd on a free port of 127.0.0.1, in a
thread. Resolve sends to it through Django's SMTP backend, as in production; the server
answers with the replies the test scripts (a mail server busy, refusing an address,
refusing the sender), then accepts and keeps what it received."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Script:
    """Replies to give, in turn, at one stage of the conversation ("MAIL", "RCPT", "DATA")."""

    replies: list[tuple[str, str]] = field(default_factory=list)  # (stage, "451 4.3.0 ...")
    received: list[Message] = field(default_factory=list)

    def next_for(self, stage: str) -> str | None:
        if self.replies and self.replies[0][0] == stage:
            return self.replies.pop(0)[1]
        return None


class ScriptedHandler:
    def __init__(self, script: Script) -> None:
        self.script = script

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.script.next_for("MAIL")
        if reply:
            return reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.script.next_for("RCPT")
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.script.next_for("DATA")
        if reply:
            return reply
        self.script.received.append(message_from_bytes(envelope.original_content or b""))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpServer:
    """Started and stopped by the `smtp_server` fixture (tests/notifications/test_delivery.py)."""

    def __init__(self) -> None:
        self.script = Script()
        self.port = free_port()
        self.controller = Controller(
            ScriptedHandler(self.script), hostname="127.0.0.1", port=self.port
        )

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def answer(self, stage: str, reply: str, times: int = 1) -> None:
        self.script.replies.extend([(stage, reply)] * times)

    @property
    def received(self) -> list[Message]:
        return self.script.received

    @property
    def replies_left(self) -> int:
        return len(self.script.replies)
