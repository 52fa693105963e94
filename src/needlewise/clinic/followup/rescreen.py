"""Re-screening when the knowledge base changes: whose stored result would now come out higher.

Each client's latest screening made under another knowledge base content hash is assessed again
with today's knowledge base; identical answers are assessed once. Nothing is stored: staff decide
whom to screen again, and that new screening is the record.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from django.db.models import OuterRef, Subquery

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.audit import log as audit_log
from needlewise.domain.permissions import Action
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import ProfileError
from needlewise.services.profiles import parse_profile
from needlewise.storage.models import Client, Screening


@dataclass(frozen=True, slots=True)
class Rescreen:
    """A client whose latest screening would now come out at a higher tier."""

    client: Client
    screening: Screening
    stored: Tier
    now: Tier | None  # None: today's knowledge base no longer accepts the stored answers
    new_rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RescreenReport:
    """How many latest screenings predate the knowledge base, and which would now be higher."""

    kb_version: str
    outdated: int
    higher: list[Rescreen]


def _latest_outdated(clinic_id: int, kb_hash: str) -> list[Screening]:
    latest = Screening.objects.filter(client=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    ids = Client.objects.filter(clinic_id=clinic_id, archived_at__isnull=True).annotate(latest=Subquery(latest))
    return list(
        Screening.objects.filter(pk__in=ids.values("latest"))
        .exclude(kb_hash=kb_hash)
        .select_related("client")
        .order_by("client__family_key", "client__given_key", "pk")
    )


@use_case(Action.VIEW_HEALTH, "rescreen")
def report(actor: Actor, kb: KnowledgeBase) -> RescreenReport:
    """Which active clients' latest screenings would now come out at a higher tier (clinical roles)."""
    outdated = _latest_outdated(actor.staff_clinic_id, kb.version.content_hash)
    cache: dict[bytes, tuple[Tier | None, tuple[str, ...]]] = {}
    higher = []
    for screening in outdated:
        key = orjson.dumps(screening.profile, option=orjson.OPT_SORT_KEYS)
        if key not in cache:
            try:
                assessment = assess(parse_profile(screening.profile), kb, Lang.EN)
            except ProfileError:  # answers the new knowledge base no longer accepts: screen again
                cache[key] = (None, ())
            else:
                cache[key] = (assessment.tier, tuple(f.rule_id for f in assessment.findings))
        now, rules = cache[key]
        stored = Tier(screening.tier)
        if now is None or now.rank > stored.rank:
            higher.append(Rescreen(screening.client, screening, stored, now, rules))
    audit_log.record(actor, "read", "rescreen", detail={"outdated": len(outdated), "higher": len(higher)})
    return RescreenReport(kb.version.version, len(outdated), higher)
