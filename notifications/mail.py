"""An e-mail backend for the demo and the tests: one file per outbox row.

Django's file backend names its files by time, so an e-mail sent again after a worker died
between sending and recording it would leave a second file. This one names each file by the
message's outbox key and replaces it atomically, so the folder holds each notification once,
however often its delivery was attempted: the tests count the files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from notifications.content import KEY_HEADER, file_name_for_key


class KeyedFileBackend(BaseEmailBackend):
    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)
        self.folder.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            key = (message.extra_headers or {}).get(KEY_HEADER) or f"message-{uuid.uuid4()}"
            final = self.folder / file_name_for_key(key)
            partial = self.folder / f".{final.name}.{os.getpid()}.partial"
            partial.write_bytes(message.message().as_bytes(linesep="\n"))
            os.replace(partial, final)  # atomic: a reader sees the whole message or none
            sent += 1
        return sent
