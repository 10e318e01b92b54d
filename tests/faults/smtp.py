"""A real SMTP server for the fault suite (aiosmtpd on 127.0.0.1) that takes `delay` seconds per
message, as a slow relay does, and records every message it accepted."""

from __future__ import annotations

import asyncio
import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    to: tuple[str, ...]
    subject: str


@dataclass
class SlowHandler:
    delay: float = 0.0
    # Recipients whose next N messages are refused with a 451 (a transient SMTP error).
    refuse: dict[str, int] = field(default_factory=dict)
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                if self.refuse.get(rcpt, 0) > 0:
                    self.refuse[rcpt] -= 1
                    return "451 4.3.0 try again later"
            parsed = message_from_bytes(envelope.content)
            self.messages.append(
                Received(
                    to=tuple(envelope.rcpt_tos),
                    subject=str(make_header(decode_header(parsed["Subject"]))),
                )
            )
        return "250 OK"


class SlowSMTPServer:
    def __init__(self, *, delay: float = 0.0) -> None:
        self.handler = SlowHandler(delay=delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SlowSMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)
