"""A stand-in for Twilio's Messages endpoint on loopback, and Twilio's signature on the requests it makes to us."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from twilio.request_validator import RequestValidator

from net_support import free_port

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "test-auth-token-not-a-secret"  # noqa: S105 - the stand-in's own token
SENDER = "+15005550006"
MESSAGING_SERVICE = "MG" + "fedcba9876543210" * 2


@dataclass
class Received:
    """One request the stand-in answered: whether its basic auth was the account's, its form fields, its answer."""

    authorised: bool
    fields: dict[str, str]
    status: int


@dataclass
class FakeTwilio:
    """Answers ``POST /2010-04-01/Accounts/<sid>/Messages.json`` as Twilio does: 201 with a new ``SM…`` SID.

    ``failures`` are answered first, one per request (an HTTP status and Twilio's error code).
    """

    port: int
    received: list[Received] = field(default_factory=list)
    failures: list[tuple[int, int]] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The base address to give ``NEEDLEWISE_TWILIO_API_URL``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def created(self) -> list[Received]:
        """The requests that created a message."""
        return [r for r in self.received if r.status == 201]

    def answer(self, path: str, authorization: str, body: str) -> tuple[int, dict[str, object]]:
        """The status and JSON Twilio would answer with."""
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        fields = {k: v[0] for k, v in parse_qs(body).items()}
        authorised = authorization == expected
        if path != f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json":
            status, payload = 404, {"code": 20404, "message": "not found", "status": 404}
        elif not authorised:
            status, payload = 401, {"code": 20003, "message": "Authenticate", "status": 401}
        elif self.failures:
            status, code = self.failures.pop(0)
            payload = {"code": code, "message": "failed", "status": status}
        else:
            sid = f"SM{len(self.received):032x}"
            status = 201
            payload = {"sid": sid, "account_sid": ACCOUNT_SID, "to": fields.get("To"), "status": "queued"}
        self.received.append(Received(authorised, fields, status))
        return status, payload


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            status, payload = fake.answer(self.path, self.headers.get("Authorization", ""), body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class names it
            del format, args

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    """A :class:`FakeTwilio` serving on a free loopback port until the block ends."""
    fake = FakeTwilio(free_port())
    server = ThreadingHTTPServer(("127.0.0.1", fake.port), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def configure(settings: object, api_url: str, *, sender: str = SENDER, public_url: str = "") -> None:
    """Point needlewise's Twilio settings (pytest-django's ``settings``) at ``api_url``."""
    for name, value in {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": sender,
        "TWILIO_API_URL": api_url,
        "PUBLIC_URL": public_url,
    }.items():
        setattr(settings, name, value)


def signature(url: str, fields: dict[str, str], token: str = AUTH_TOKEN) -> str:
    """``X-Twilio-Signature`` for a request Twilio makes to ``url`` with ``fields``."""
    return str(RequestValidator(token).compute_signature(url, fields))
