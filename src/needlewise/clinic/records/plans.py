"""Treatment plans: goals, a needle length per zone, sessions, products, checked against the knowledge base.

A length above every confirmed range for the plan's goals, or above the practitioner's scope, is
refused, naming the zone; shorter-than-studied lengths, goals without a confirmed range, zone
cautions and products that should not go on freshly needled skin are kept with the plan as warnings.
The minimum interval between sessions comes from the knowledge base's interval rules.

A client has at most one active plan: saving a new plan closes the previous one (both recorded in
the audit log), so the newest plan is always the one sessions follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.access.guard import use_case
from needlewise.clinic.access.tenancy import access_client, access_plan
from needlewise.clinic.audit import log as audit_log
from needlewise.clinic.local_time import ClinicClock
from needlewise.clinic.records import record_digests
from needlewise.clinic.records.plan_form import PlanForm, from_screening, validate
from needlewise.domain.permissions import Action
from needlewise.domain.statuses import PlanStatus
from needlewise.domain.treatment import Finding, FindingLevel
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.engine.treatment import (
    ABOVE_RANGE,
    IntervalChoice,
    length_findings,
    minimum_interval,
    product_findings,
)
from needlewise.errors import N_, ConflictError, InvalidInputError, Problem
from needlewise.storage.models import Client, PlanZone, Screening, TreatmentPlan

HISTORY_LIMIT = 50


@dataclass(frozen=True, slots=True)
class PlanResult:
    """The saved plan and the warnings it was saved with."""

    plan: TreatmentPlan
    findings: tuple[Finding, ...]


def _block(finding: Finding, kb: KnowledgeBase, role: str) -> Problem:
    details = finding.details
    zone, length = str(details["zone"]), f"{float(details['length_mm']):g}"
    if finding.code == ABOVE_RANGE:
        goal = kb.vocabulary["goals"][str(details["goal"])].label.en
        template = "%(length)s mm is above the longest needle the knowledge base reports for %(goal)s (%(max)s mm)"
        return Problem.worded(f"zones.{zone}", template, length=length, goal=goal, max=f"{details['max_mm']:g}")
    template = "%(length)s mm is above your scope as %(role)s (%(scope)s mm); a nurse or provider must plan this zone"
    return Problem.worded(f"zones.{zone}", template, length=length, role=role, scope=f"{details['scope_mm']:g}")


def as_json(finding: Finding) -> dict[str, object]:
    """A finding as stored with a plan."""
    details = dict(finding.details)
    return {
        "code": finding.code,
        "level": finding.level.value,
        "details": details,
        "citations": list(finding.citations),
    }


def finding_of(row: dict[str, Any]) -> Finding:
    """A finding as :func:`as_json` stored it (with a plan or a session), as a finding again."""
    return Finding(row["code"], FindingLevel(row["level"]), row["details"], tuple(row["citations"]))


def stored_findings(plan: TreatmentPlan) -> tuple[Finding, ...]:
    """The warnings a plan was saved with, as findings again."""
    return tuple(finding_of(row) for row in plan.findings)


@use_case(Action.RECORD_TREATMENT, "plan", client="client_id", missing="client")
def create(actor: Actor, client_id: int, form: PlanForm, kb: KnowledgeBase) -> PlanResult:
    """Save a screened client's treatment plan (closing their previous active plan)."""
    role = actor.treating_role
    assert role is not None  # noqa: S101 - require() passed, so the actor has a role
    parsed, lengths = validate(form, kb)
    goals = tuple(sorted(set(parsed.goals)))
    zone_mm = {zone: float(length) for zone, length in lengths.items()}
    findings = length_findings(kb.treatment, goals, zone_mm, actor.needle_scope_mm)
    blocks = [f for f in findings if f.blocks]
    if blocks:
        raise InvalidInputError([_block(f, kb, role.value.replace("_", " ")) for f in blocks])
    products = tuple(dict.fromkeys(parsed.products))
    warnings = findings + product_findings(kb.treatment, products)
    interval = minimum_interval(kb.treatment, goals, max(zone_mm.values()))
    client = access_client(actor, client_id, lock=True)
    if client.archived_at is not None:
        raise ConflictError([Problem("client", N_("this client is archived; restore them before planning"))])
    if not Screening.objects.filter(client=client).exists():
        raise ConflictError([Problem("client", N_("screen the client first: a plan needs a screening"))])
    previous = list(TreatmentPlan.objects.filter(client=client, status=PlanStatus.ACTIVE))
    plan = TreatmentPlan.objects.create(
        clinic_id=actor.staff_clinic_id,
        client=client,
        goals=list(goals),
        sessions_planned=parsed.sessions_planned,
        min_interval_days=interval.days,
        products=list(products),
        findings=[as_json(f) for f in warnings],
        notes=parsed.notes.strip(),
        kb_version=kb.version.version,
        kb_hash=kb.version.content_hash,
        created_by_id=actor.staff_user_id,
    )
    PlanZone.objects.bulk_create(PlanZone(plan=plan, zone=z, length_mm=mm) for z, mm in sorted(lengths.items()))
    for old in previous:
        _close(actor, old, replaced_by=plan.pk)
    detail = {"zones": len(lengths), "warnings": len(warnings), "replaces": [old.pk for old in previous]}
    detail["digest"] = record_digests.plan_digest(plan.pk)
    audit_log.record(actor, "create", "plan", plan.pk, client_id=client.pk, detail=detail)
    return PlanResult(plan, warnings)


def _close(actor: Actor, plan: TreatmentPlan, replaced_by: int | None = None) -> None:
    plan.status, plan.closed_at = PlanStatus.CLOSED.value, timezone.now()
    plan.save(update_fields=["status", "closed_at"])
    detail: dict[str, object] = {"replaced_by": replaced_by} if replaced_by else {}
    detail["digest"] = record_digests.plan_digest(plan.pk)
    audit_log.record(actor, "close", "plan", plan.pk, client_id=plan.client_id, detail=detail)


def active_plan(clinic_id: int, client_id: int) -> TreatmentPlan | None:
    """The client's active plan, if any. Not audited: for other use cases' checks."""
    return (
        TreatmentPlan.objects.filter(clinic_id=clinic_id, client_id=client_id, status=PlanStatus.ACTIVE)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True, slots=True)
class Planning:
    """The client a new plan is for, and what it starts from: their latest screening's goals, products, areas."""

    client: Client
    screened_on: date | None = None  # the clinic's day of the screening it starts from; None: never screened
    start: dict[str, tuple[str, ...]] = field(default_factory=dict)


@use_case(Action.RECORD_TREATMENT, "plan", client="client_id", missing="client")
def planning(actor: Actor, client_id: int, kb: KnowledgeBase) -> Planning:
    """The client a new plan is for and what it starts from (refused to roles that do not plan; read recorded)."""
    client = access_client(actor, client_id)
    audit_log.record(actor, "read", "client", client.pk, client_id=client.pk, detail={"health": True})
    screening = (
        Screening.objects.filter(clinic_id=actor.staff_clinic_id, client_id=client.pk)
        .select_related("clinic")
        .only("created_at", "profile", "clinic__time_zone")
        .order_by("-created_at", "-pk")
        .first()
    )
    if screening is None:
        return Planning(client)
    day = ClinicClock.named(screening.clinic.time_zone).day_of(screening.created_at)
    return Planning(client, day, from_screening(screening.profile, kb))


@use_case(Action.VIEW_HEALTH, "plan", record="plan_id", missing="plan")
def get(actor: Actor, plan_id: int) -> TreatmentPlan:
    """One plan of the clinic with its zones (the read is recorded)."""
    plan = access_plan(actor, plan_id)
    audit_log.record(actor, "read", "plan", plan.pk, client_id=plan.client_id)
    return plan


@use_case(Action.VIEW_HEALTH, "plan", client="client_id", missing="client")
def plans_of(actor: Actor, client_id: int) -> list[TreatmentPlan]:
    """The client's plans, newest first (the read is recorded)."""
    client = access_client(actor, client_id)
    rows = list(
        TreatmentPlan.objects.filter(client=client)
        .prefetch_related("zones")
        .order_by("-created_at", "-pk")[:HISTORY_LIMIT]
    )
    audit_log.record(actor, "read", "plan", "", client_id=client.pk, detail={"shown": [p.pk for p in rows]})
    return rows


@use_case(Action.RECORD_TREATMENT, "plan", record="plan_id", missing="plan")
def close(actor: Actor, plan_id: int) -> TreatmentPlan:
    """Close an active plan: no session can follow it any more."""
    plan = access_plan(actor, plan_id)
    if plan.status != PlanStatus.ACTIVE:
        raise ConflictError([Problem("plan", N_("this plan is already closed"))])
    _close(actor, plan)
    return plan


def interval_basis(plan: TreatmentPlan, kb: KnowledgeBase) -> IntervalChoice:
    """The knowledge base's interval rules behind a plan's minimum interval, with their notes and sources.

    Goals today's knowledge base no longer has rules for are left out (the plan keeps its stored days).
    """
    longest = max((float(z.length_mm) for z in plan.zones.all()), default=0.0)
    known = {rule.goal for rule in kb.treatment.intervals}
    return minimum_interval(kb.treatment, [goal for goal in plan.goals if goal in known], longest)
