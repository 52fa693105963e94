"""Page-test helpers shared by the consent, session and clinic-contact page tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from clinic.treatment_support import plan, signed_consent
from clinic_factories import SITE_TIME_ZONE
from needlewise.bootstrap import knowledge_base
from needlewise.clinic.clients import clients
from needlewise.clinic.clients.client_form import ClientDetails
from needlewise.clinic.records import screenings
from needlewise.domain.permissions import Role
from needlewise.domain.vocabulary import Lang
from needlewise.storage.models import Client
from web.clinic.support import CLINIC_OK, Site, actor_for


def sign_url(site: Site) -> str:
    """The consent signing page of the site's client."""
    return f"/clinic/clients/{site.client.pk}/consent/"


def ready_client(site: Site) -> Client:
    """A client screened at clinic tier, with a signed consent and a plan (cheeks and forehead at 1.0 mm)."""
    kb, nurse = knowledge_base(), actor_for(site.members[Role.NURSE])
    client = clients.create(nurse, ClientDetails("Ready", "Pagetest", timezone.localdate() - timedelta(days=11000)))
    screenings.record(nurse, client_id=client.pk, profile=CLINIC_OK, kb=kb, lang=Lang.EN)
    signed_consent(site, kb, client)
    plan(site, kb, client=client)
    return client


def session_data(**changes: Any) -> dict[str, Any]:
    """A valid session form: now in the test clinics' time zone, cheeks at 1.0 mm, a fresh cartridge."""
    now = timezone.now().astimezone(ZoneInfo(SITE_TIME_ZONE))
    base = {
        "performed_date": now.date().isoformat(),
        "performed_time": now.strftime("%H:%M"),
        "device_model": "Pen P4",
        "device_kind": "pen",
        "device_serial": "DEV-9",
        "cartridge_lot": "LOT-PAGE",
        "cartridge_serial": "SN-PAGE-1",
        "cartridge_expiry": (timezone.localdate() + timedelta(days=200)).isoformat(),
        "zone_cheeks": "1.0",
        "zone_forehead": "",
        "passes": "3",
        "end_point": "uniform erythema",
        "numbing_product": "",
        "lang": "es",
        "action": "record",
    }
    return {**base, **changes}
