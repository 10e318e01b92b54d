"""An email backend for the two-worker race: every message is appended, under a file lock, to
the file named by MEETINGS_TEST_MAILBOX, so messages sent by separate worker processes can be
counted by the test. The first send of each process waits (up to 10 s) until another process is
sending too, so the workers really overlap."""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

_waited = False


class FileCountingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        global _waited
        box = Path(os.environ["MEETINGS_TEST_MAILBOX"])
        senders = box.with_suffix(".senders")
        with senders.open("a") as f:
            f.write(f"{os.getpid()}\n")
        if not _waited:
            _waited = True
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if len(set(senders.read_text().split())) > 1:
                    break
                time.sleep(0.05)
        for message in email_messages:
            time.sleep(0.01)
            with box.open("a") as f:
                fcntl.flock(f, fcntl.LOCK_EX)
                f.write(
                    json.dumps({"to": message.to, "subject": message.subject, "pid": os.getpid()})
                    + "\n"
                )
                fcntl.flock(f, fcntl.LOCK_UN)
        return len(email_messages)
