"""Treatment plan pages: a new plan checked against the knowledge base, a plan, closing it.

The new-plan form shows each goal's needle length range with its sources and the practitioner's
scope; a length the knowledge base or the scope does not allow is refused next to its zone. Only
zones with a length typed in are part of the plan.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.records import plan_form, plans
from needlewise.clinic.treatment.finding_words import describe
from needlewise.errors import ConflictError, InvalidInputError
from needlewise.web.views.clinic_common import acting, clinic_page
from needlewise.web.views.clinic_consent import errors_of
from needlewise.web.views.common import knowledge, lang_of, render, say


def _scope_of(actor: Actor) -> float | None:
    return actor.needle_scope_mm


@require_http_methods(["GET", "POST"])
@clinic_page
def plan_new(request: HttpRequest, client_id: int) -> HttpResponse:
    """The new-plan form; on success, the saved plan."""
    actor = acting(request)
    kb = knowledge()
    begun = plans.planning(actor, client_id, kb)
    client = begun.client
    areas = list(kb.vocabulary["areas"])
    start = {"goals": begun.start.get("goals", ()), "products": begun.start.get("products", ())}
    values: dict[str, object] = {"sessions_planned": "3", "notes": "", **start}
    errors: dict[str, list[str]] = {}
    conflict = None
    if request.method == "POST":
        values = plan_form.echo(request.POST, areas)
        form = plan_form.read(request.POST, areas)
        try:
            made = plans.create(actor, client_id, form, kb)
        except InvalidInputError as invalid:
            errors = errors_of(invalid)
        except ConflictError as refused:
            conflict = say(refused.first)
        else:
            return HttpResponseRedirect(reverse("clinic-plan", args=[made.plan.pk]))
    context = {
        "actor": actor,
        "client": client,
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "scope": _scope_of(actor),
        "areas": areas,
        "screened_on": begun.screened_on,
        "screened_areas": begun.start.get("areas", ()),
    }
    status = 409 if conflict else 422 if errors else 200
    return render(request, "clinic/plan_new.html", context, status=status)


@require_safe
@clinic_page
def plan_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    """A plan: zones and needle lengths, the minimum interval with its sources, warnings in words."""
    actor = acting(request)
    kb, lang = knowledge(), lang_of(request)
    plan = plans.get(actor, plan_id)
    warnings = [(describe(f, kb, lang), f) for f in plans.stored_findings(plan)]
    context = {
        "actor": actor,
        "plan": plan,
        "zones": sorted(plan.zones.all(), key=lambda z: z.zone),
        "warnings": warnings,
        "interval": plans.interval_basis(plan, kb),
    }
    return render(request, "clinic/plan.html", context)


@require_POST
@clinic_page
def plan_close(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Close the plan; sessions can no longer follow it."""
    plans.close(acting(request), plan_id)
    return HttpResponseRedirect(reverse("clinic-plan", args=[plan_id]))


urls: list[URLPattern] = [
    path("clinic/clients/<id:client_id>/plans/new/", plan_new, name="clinic-plan-new"),
    path("clinic/plans/<id:plan_id>/", plan_page, name="clinic-plan"),
    path("clinic/plans/<id:plan_id>/close/", plan_close, name="clinic-plan-close"),
]
