"""Sign-in lock-out by (account, address) and by address, and slowing per account.

- An account and an address together are locked after ``LOGIN_FAILURE_LIMIT`` failures in the last
  ``LOGIN_FAILURE_WINDOW_MINUTES``: one address cannot keep guessing one account's password or code.
- An address is locked after as many failures for any accounts: one address cannot try many accounts.
- An account is never locked from everywhere (anyone could lock anyone out): once it has
  ``LOGIN_ACCOUNT_SLOW_AFTER`` failures in the window from all addresses together, each further
  attempt waits a delay after its last failure that doubles with each failure, up to
  ``LOGIN_ACCOUNT_MAX_DELAY_SECONDS``. The right password from a new address gets in after at most
  that delay; guesses spread over many addresses get about one try per delay.

The same counts and the same queries whether or not the account exists: failures never tell
whether an address is someone's account. Each failure is audited (never the password or code).
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.accounts.fields import counted_as
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.sign_in import attempts


def _keys(email: str, ip: str) -> tuple[str, str, str]:
    account = counted_as(email)
    return f"pair:{account}|{ip}", f"ip:{ip}", f"user:{account}"


def wait_seconds(email: str, ip: str) -> int:
    """How long this account must wait from this address before another attempt (0: it may try now)."""
    pair, address, account = _keys(email, ip)
    window = settings.LOGIN_FAILURE_WINDOW_MINUTES * 60
    limit = settings.LOGIN_FAILURE_LIMIT
    waits = [attempts.wait_seconds(pair, limit, window), attempts.wait_seconds(address, limit, window)]
    failures = attempts.in_window(account, window)
    extra = len(failures) - settings.LOGIN_ACCOUNT_SLOW_AFTER
    if extra >= 0:
        delay = timedelta(seconds=min(2**extra, settings.LOGIN_ACCOUNT_MAX_DELAY_SECONDS))
        left = (failures[-1] + delay - timezone.now()).total_seconds()
        waits.append(max(0, math.ceil(left)))
    return max(waits)


def locked_out(email: str, ip: str) -> bool:
    """Whether this account may not try from this address for now."""
    return wait_seconds(email, ip) > 0


def count_failure(email: str, ip: str) -> None:
    """Count a failure for the account, the address and the two together (the caller audits it)."""
    attempts.count(*_keys(email, ip))


def record_failure(email: str, ip: str, request_id: str, stage: str) -> None:
    """Count a failed sign-in (see :func:`count_failure`) and audit it (``stage``: which step)."""
    with transaction.atomic():
        count_failure(email, ip)
        audit_log.record(
            Actor.anonymous(ip, request_id), "sign_in", "session", outcome="failed", detail={"stage": stage}
        )


def clear_failures(email: str, ip: str) -> None:
    """Forget an account's failures, and this address's for it, once the account signs in from it."""
    pair, _, account = _keys(email, ip)
    attempts.forget(pair, account)
