"""Treatment plans: validation, the knowledge base's ranges and the practitioner's scope, one active plan."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from clinic.support import details, expected, last_seq, rows_after, summary
from clinic.treatment_support import plan, plan_form, staff_actor
from clinic_factories import SITE_TIME_ZONE
from needlewise.clinic.clients import clients
from needlewise.clinic.records import plan_form as plan_declaration
from needlewise.clinic.records import plans, record_digests, screenings
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import FindingLevel
from needlewise.domain.vocabulary import Lang
from needlewise.engine import treatment as codes
from needlewise.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from needlewise.storage.models import PlanZone, TreatmentPlan

pytestmark = pytest.mark.django_db


def create(site, kb, role=Role.NURSE, client_id=None, **changes):
    return plans.create(staff_actor(site, role), client_id or site.client.pk, plan_form(**changes), kb)


def problems_of(error) -> list[tuple[str, str]]:
    return [(p.where, p.message) for p in error.value.problems]


def test_a_plan_keeps_goals_lengths_interval_products_warnings_and_the_kb(site_a, kb):
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    result = create(
        site_a,
        kb,
        goals=("texture", "texture"),
        zones={"cheeks": Decimal("1.25"), "forehead": 0.75},
        sessions_planned=4,
        products=("vitamin_c_serum", "sterile_clinic_product"),
        notes="  Start gently.  ",
    )
    stored = TreatmentPlan.objects.get(pk=result.plan.pk)
    assert (stored.goals, stored.sessions_planned, stored.notes, stored.status) == (
        ["texture"],
        4,
        "Start gently.",
        "active",
    )
    assert stored.products == ["vitamin_c_serum", "sterile_clinic_product"]
    assert {z.zone: z.length_mm for z in PlanZone.objects.filter(plan=stored)} == {
        "cheeks": Decimal("1.25"),
        "forehead": Decimal("0.75"),
    }
    assert stored.min_interval_days == 28  # texture above 0.25 mm
    assert (stored.kb_version, stored.kb_hash) == (kb.version.version, kb.version.content_hash)
    assert (stored.created_by_id, stored.clinic_id, stored.closed_at) == (nurse.user_id, site_a.clinic.pk, None)
    flag = next(f for f in kb.treatment.product_flags if f.product == "vitamin_c_serum")
    assert stored.findings == [
        {
            "code": codes.PRODUCT_FLAG,
            "level": "warn",
            "details": {"product": "vitamin_c_serum", "warning": flag.warning.warning_id},
            "citations": list(flag.warning.citations),
        }
    ]
    assert plans.stored_findings(stored) == result.findings
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "create", "plan", stored.pk, client_id=site_a.client.pk)
    ]
    digest = record_digests.plan_digest(stored.pk)
    assert rows_after(seq)[0].detail == {"zones": 2, "warnings": 1, "replaces": [], "digest": digest}
    assert str(stored) == f"plan {stored.pk} (active)"
    assert str(PlanZone.objects.get(plan=stored, zone="cheeks")) == "cheeks 1.25 mm"


def test_vitamin_c_is_flagged(site_a, kb):
    result = create(site_a, kb, products=("vitamin_c_serum",))
    assert [(f.code, f.level, f.details["product"]) for f in result.findings] == [
        (codes.PRODUCT_FLAG, FindingLevel.WARN, "vitamin_c_serum")
    ]


@pytest.mark.parametrize(
    ("changes", "problems"),
    [
        ({"goals": ()}, [("goals", "choose at least one goal")]),
        ({"goals": ("texture", "tan")}, [("goals", "unknown goal 'tan'")]),
        ({"zones": {}}, [("zones", "enter a needle length for at least one zone")]),
        ({"zones": {"elbow": 1.0}}, [("zones.elbow", "unknown zone 'elbow'")]),
        (
            {"zones": {"cheeks": 0.05}},
            [("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")],
        ),
        (
            {"zones": {"cheeks": Decimal("3.01")}},
            [("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")],
        ),
        (
            {"zones": {"cheeks": Decimal("0.755")}},
            [("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")],
        ),
        (
            {"zones": {"cheeks": Decimal("NaN")}},
            [("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")],
        ),
        (
            {"zones": {"cheeks": float("inf")}},
            [("zones.cheeks", "enter a needle length from 0.1 to 3.0 mm, with at most two decimals")],
        ),
        ({"sessions_planned": 0}, [("sessions_planned", "plan from 1 to 20 sessions")]),
        ({"sessions_planned": 21}, [("sessions_planned", "plan from 1 to 20 sessions")]),
        ({"products": ("snail_slime",)}, [("products", "unknown product 'snail_slime'")]),
        ({"notes": "x" * 5001}, [("notes", "at most 5000 characters")]),
        (
            {"goals": (), "zones": {}, "sessions_planned": 0},
            [
                ("goals", "choose at least one goal"),
                ("zones", "enter a needle length for at least one zone"),
                ("sessions_planned", "plan from 1 to 20 sessions"),
            ],
        ),
    ],
)
def test_each_invalid_field_is_named(site_a, kb, changes, problems):
    with pytest.raises(InvalidInputError) as invalid:
        create(site_a, kb, **changes)
    assert problems_of(invalid) == problems
    assert not TreatmentPlan.objects.exists()


def test_the_shortest_and_longest_lengths_are_accepted(site_a, kb):
    result = create(site_a, kb, goals=("glow",), zones={"cheeks": 0.1}, role=Role.PROVIDER)
    assert PlanZone.objects.get(plan=result.plan).length_mm == Decimal("0.10")
    assert [f.code for f in result.findings] == []
    with pytest.raises(InvalidInputError) as invalid:
        create(site_a, kb, goals=("hair_loss",), zones={"scalp": Decimal("3.0")}, role=Role.PROVIDER)
    assert [p.where for p in invalid.value.problems] == ["zones.scalp"]  # in the form's range, above the KB's


def test_an_aesthetician_cannot_plan_075_mm(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        create(site_a, kb, role=Role.AESTHETICIAN, zones={"cheeks": Decimal("0.75")})
    assert problems_of(invalid) == [
        (
            "zones.cheeks",
            "0.75 mm is above your scope as aesthetician (0.5 mm); a nurse or provider must plan this zone",
        )
    ]
    problem = invalid.value.first
    assert dict(problem.params) == {"length": "0.75", "role": "aesthetician", "scope": "0.5"}
    assert not TreatmentPlan.objects.exists()
    allowed = create(site_a, kb, role=Role.AESTHETICIAN, goals=("glow",), zones={"cheeks": Decimal("0.5")})
    assert allowed.plan.status == "active"


def test_acne_scars_at_25_mm_are_above_the_range(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        create(site_a, kb, role=Role.PROVIDER, goals=("acne_scars",), zones={"cheeks": Decimal("2.5")})
    assert problems_of(invalid) == [
        ("zones.cheeks", "2.5 mm is above the longest needle the knowledge base reports for Acne scars (2 mm)")
    ]
    assert not TreatmentPlan.objects.exists()


def test_both_blocks_are_named_for_the_same_zone(site_a, kb):
    with pytest.raises(InvalidInputError) as invalid:
        create(site_a, kb, role=Role.AESTHETICIAN, goals=("glow",), zones={"cheeks": Decimal("0.75")})
    assert [p.where for p in invalid.value.problems] == ["zones.cheeks", "zones.cheeks"]
    assert "Glow" in invalid.value.problems[0].message
    assert "scope" in invalid.value.problems[1].message


def test_warnings_below_range_unconfirmed_range_and_zone_notes_are_kept(site_a, kb):
    result = create(
        site_a,
        kb,
        goals=("texture", "scars"),
        zones={"cheeks": Decimal("0.25"), "under_eye": Decimal("0.5")},
        role=Role.PROVIDER,
    )
    found = [(f.code, f.details.get("zone") or f.details.get("goal")) for f in result.findings]
    assert found == [
        (codes.NO_CONFIRMED_RANGE, "scars"),
        (codes.BELOW_RANGE, "cheeks"),
        (codes.ZONE_NOTE, "under_eye"),
    ]
    assert all(f.level is FindingLevel.WARN for f in result.findings)
    assert [row["code"] for row in result.plan.findings] == [f for f, _ in found]


def test_the_interval_is_the_longest_of_the_goals_rules(site_a, kb):
    short = create(site_a, kb, goals=("glow",), zones={"cheeks": Decimal("0.25")}).plan
    assert short.min_interval_days == 2
    mixed = create(site_a, kb, goals=("acne_scars", "hair_loss"), zones={"cheeks": Decimal("1.5")}).plan
    assert mixed.min_interval_days == 14
    basis = plans.interval_basis(mixed, kb)
    assert (basis.days, [r.goal for r in basis.rules]) == (14, ["acne_scars"])
    assert basis.rules[0].citations


def test_a_new_plan_closes_the_previous_one(site_a, kb):
    first = plan(site_a, kb)
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    second = plan(site_a, kb, goals=("glow",), zones={"cheeks": Decimal("0.5")})
    first.refresh_from_db()
    assert (first.status, second.status) == ("closed", "active")
    assert first.closed_at is not None
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [
        expected(nurse, "close", "plan", first.pk, client_id=site_a.client.pk),
        expected(nurse, "create", "plan", second.pk, client_id=site_a.client.pk),
    ]
    assert rows[0].detail == {"replaced_by": second.pk, "digest": record_digests.plan_digest(first.pk)}
    assert rows[1].detail["replaces"] == [first.pk]
    assert plans.active_plan(site_a.clinic.pk, site_a.client.pk) == second


def test_a_client_must_be_screened_first(site_a, kb):
    new = clients.create(staff_actor(site_a, Role.FRONT_DESK), details(given_name="Unscreened"))
    with pytest.raises(ConflictError, match="screen the client first"):
        create(site_a, kb, client_id=new.pk)
    assert not TreatmentPlan.objects.exists()


def test_an_archived_client_cannot_get_a_plan(site_a, kb):
    clients.set_archived(staff_actor(site_a, Role.PROVIDER), site_a.client.pk, archived=True)
    with pytest.raises(ConflictError, match="archived"):
        create(site_a, kb)


def test_another_clinics_client_is_not_found_and_recorded(sites, kb):
    site_a, site_b = sites
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    with pytest.raises(NotFoundError):
        create(site_a, kb, client_id=site_b.client.pk)
    with pytest.raises(NotFoundError):
        plans.planning(nurse, site_b.client.pk, kb)
    with pytest.raises(NotFoundError):
        plans.plans_of(nurse, site_b.client.pk)
    denied = expected(nurse, "not_found", "client", site_b.client.pk, outcome="denied")
    assert [summary(r) for r in rows_after(seq)] == [denied] * 3
    assert not TreatmentPlan.objects.exists()


@pytest.mark.parametrize("role", [Role.OWNER, Role.FRONT_DESK])
def test_roles_that_do_not_treat_cannot_plan(site_a, kb, role):
    existing = plan(site_a, kb)
    actor = staff_actor(site_a, role)
    seq = last_seq()
    with pytest.raises(NotAllowedError):
        create(site_a, kb, role=role)
    with pytest.raises(NotAllowedError):
        plans.planning(actor, site_a.client.pk, kb)
    with pytest.raises(NotAllowedError):
        plans.close(actor, existing.pk)
    assert [summary(r) for r in rows_after(seq)] == [
        expected(actor, "record_treatment", "plan", client_id=site_a.client.pk, outcome="denied"),
        expected(actor, "record_treatment", "plan", client_id=site_a.client.pk, outcome="denied"),
        expected(actor, "record_treatment", "plan", existing.pk, outcome="denied"),
    ]
    assert TreatmentPlan.objects.get().status == "active"


def test_planning_names_the_client_and_records_the_read(site_a, kb):
    nurse = staff_actor(site_a, Role.NURSE)
    seq = last_seq()
    assert plans.planning(nurse, site_a.client.pk, kb).client == site_a.client
    assert [summary(r) for r in rows_after(seq)] == [
        expected(nurse, "read", "client", site_a.client.pk, client_id=site_a.client.pk)
    ]


def test_a_new_plan_starts_from_the_latest_screenings_goals_products_and_areas(site_a, kb):
    nurse = staff_actor(site_a, Role.NURSE)
    client = clients.create(nurse, details(given_name="Planned", family_name="Fromscreening"))
    assert plans.planning(nurse, client.pk, kb).start == {}  # never screened: nothing offered
    screened = {
        "setting": "clinic",
        "age": 30,
        "goals": ["texture", "acne_scars"],
        "areas": ["cheeks", "forehead"],
        "planned_products": ["hyaluronic_acid"],
    }
    screenings.record(nurse, client_id=client.pk, profile=screened, kb=kb, lang=Lang.EN)
    begun = plans.planning(nurse, client.pk, kb)
    assert begun.start == {
        "goals": ("texture", "acne_scars"),
        "products": ("hyaluronic_acid",),
        "areas": ("cheeks", "forehead"),
    }
    assert begun.screened_on == timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE)).date()


def test_an_open_answer_or_a_word_a_plan_does_not_know_is_not_offered(kb):
    profile = {"goals": "unsure", "areas": ["cheeks", "moon"], "planned_products": None}
    assert plan_declaration.from_screening(profile, kb) == {"goals": (), "products": (), "areas": ("cheeks",)}
    assert plan_declaration.from_screening({}, kb) == {"goals": (), "products": (), "areas": ()}


def test_get_and_list_plans_of_the_own_clinic(sites, kb):
    site_a, site_b = sites
    first, second = plan(site_a, kb), plan(site_a, kb)
    theirs = plan(site_b, kb)
    owner = staff_actor(site_a, Role.OWNER)
    seq = last_seq()
    shown = plans.get(owner, first.pk)
    assert (shown, shown.status, [z.zone for z in shown.zones.all()]) == (first, "closed", ["cheeks", "forehead"])
    assert plans.plans_of(owner, site_a.client.pk) == [second, first]
    rows = rows_after(seq)
    assert [summary(r) for r in rows] == [
        expected(owner, "read", "plan", first.pk, client_id=site_a.client.pk),
        expected(owner, "read", "plan", "", client_id=site_a.client.pk),
    ]
    assert rows[1].detail == {"shown": [second.pk, first.pk]}
    seq = last_seq()
    with pytest.raises(NotFoundError):
        plans.get(owner, theirs.pk)
    assert [summary(r) for r in rows_after(seq)] == [expected(owner, "not_found", "plan", theirs.pk, outcome="denied")]
    with pytest.raises(NotAllowedError):
        plans.get(staff_actor(site_a, Role.FRONT_DESK), first.pk)
    with pytest.raises(NotAllowedError):
        plans.plans_of(staff_actor(site_a, Role.FRONT_DESK), site_a.client.pk)


def test_closing_a_plan(sites, kb):
    site_a, site_b = sites
    active = plan(site_a, kb)
    theirs = plan(site_b, kb)
    aesthetician = staff_actor(site_a, Role.AESTHETICIAN)
    seq = last_seq()
    closed = plans.close(aesthetician, active.pk)
    assert (closed.status, TreatmentPlan.objects.get(pk=active.pk).status) == ("closed", "closed")
    assert [summary(r) for r in rows_after(seq)] == [
        expected(aesthetician, "close", "plan", active.pk, client_id=site_a.client.pk)
    ]
    assert rows_after(seq)[0].detail == {"digest": record_digests.plan_digest(active.pk)}
    assert plans.active_plan(site_a.clinic.pk, site_a.client.pk) is None
    with pytest.raises(ConflictError, match="already closed"):
        plans.close(aesthetician, active.pk)
    with pytest.raises(NotFoundError):
        plans.close(aesthetician, theirs.pk)
    assert TreatmentPlan.objects.get(pk=theirs.pk).status == "active"


def test_the_builder_plans_for_another_client_and_role(site_a, kb):
    new = clients.create(staff_actor(site_a, Role.FRONT_DESK), details(given_name="Other"))
    with pytest.raises(ConflictError):
        plan(site_a, kb, client=new, role=Role.PROVIDER)
    made = plan(site_a, kb, role=Role.PROVIDER, sessions_planned=6)
    assert (made.sessions_planned, made.created_by_id) == (6, site_a.members[Role.PROVIDER].user_id)
