"""A local SMTP server (aiosmtpd) that keeps what it receives: the password-reset tests send
real mail to it over the MAIL_* settings."""

import email
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller


@dataclass
class Outbox:
    port: int
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's handler hook
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    @property
    def config(self) -> dict:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_BACKEND": "smtp",
                "MAIL_DEFAULT_SENDER": "quizapp@example.org"}

    def wait_for(self, count: int, timeout: float = 10) -> list[Message]:
        """The first `count` messages, once they have arrived (the server runs in a thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages[:count]


def reset_link(message: Message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://\S+/auth/reset/\S+", body).group(0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[Outbox]:
    outbox = Outbox(_free_port())
    controller = Controller(outbox, hostname="127.0.0.1", port=outbox.port)
    controller.start()
    try:
        yield outbox
    finally:
        controller.stop()
