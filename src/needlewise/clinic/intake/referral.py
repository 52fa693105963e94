"""From a home journal to a clinic: a consented referral carrying the journal's summary.

As for a result sent from the result page (:mod:`~needlewise.clinic.intake.public`), nothing reaches
a clinic without the person's explicit consent to the exact text shown to them, and the text and its
digest are stored with the request. The text names what is sent, with the number of sessions, skin
checks and reported changes; a page
that showed it posts its digest back, and a journal that changed since (a session logged in another
tab) is refused rather than sent under a text the person did not read. Any journal may be referred,
whatever its verdict: a person at home may want a professional at any time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import transaction
from django.utils import timezone

from needlewise.clinic.access.actor import Actor
from needlewise.clinic.intake.public import (
    PublicClinic,
    RequestForm,
    Sent,
    checked_form,
    public_of,
    requesting_clinic,
    store_request,
    text_digest,
)
from needlewise.domain.vocabulary import Lang
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import N_, Problem
from needlewise.services.journal import find_record, open_journal, stored_view
from needlewise.services.journal_referrals import ReferralEntry, with_referral
from needlewise.services.journal_state import JournalView
from needlewise.services.journal_summary import journal_summary
from needlewise.services.ports import JournalRecord, Journals
from needlewise.services.saved_results import digest
from needlewise.storage.models import ConsultationRequest

CONSENT = {
    Lang.EN: (
        "I agree that needlewise sends {clinic} ({city}) my home journal: my answers and the result they give "
        "today with its reasons, the sessions I logged ({sessions}) with their days, needle lengths, areas and "
        "products, my device, what the journal found with its sources, the skin checks I recorded ({checks}) with "
        "my answers, the changes I reported ({changes}), whether it is paused and why, and the contact details and "
        "message I entered, so that the clinic can contact me about a consultation. Nothing "
        "else is shared. The clinic keeps this as part of its health records."
    ),
    Lang.ES: (
        "Acepto que needlewise envíe a {clinic} ({city}) mi diario en casa: mis respuestas y el resultado que "
        "dan hoy con sus motivos, las sesiones que he registrado ({sessions}) con sus fechas, longitudes de "
        "aguja, zonas y productos, mi dispositivo, lo que el diario ha encontrado con sus fuentes, las revisiones "
        "de la piel que he registrado ({checks}) con mis respuestas, los cambios que he indicado ({changes}), si "
        "está en pausa y por qué, y los datos de contacto y el mensaje que he escrito, para que la clínica me contacte "
        "sobre una consulta. No se comparte nada más. La clínica lo guarda en sus registros de salud."
    ),
}


@dataclass(frozen=True, slots=True)
class Referral:
    """A journal about to be referred to a clinic: the clinic, the journal as it stands, the consent text."""

    clinic: PublicClinic
    view: JournalView
    consent_text: str

    @property
    def consent_digest(self) -> str:
        """The digest of the consent text (a page posts it back with the form)."""
        return text_digest(self.consent_text)


def consent_text(clinic: PublicClinic, view: JournalView, lang: Lang) -> str:
    """The exact sentence the person agrees to, for this clinic and this journal."""
    counts = {"sessions": len(view.sessions), "checks": len(view.checks), "changes": len(view.changes)}
    return CONSENT[lang].format(clinic=clinic.name, city=clinic.city, **counts)


def prepare(store: Journals, token: str, slug: str, kb: KnowledgeBase, lang: Lang | None) -> Referral:
    """What would be sent: NotFoundError for an unknown journal (``key``) or a clinic not taking requests.

    ``lang`` ``None`` is the journal's own language.
    """
    view = open_journal(store, token, kb, lang)
    clinic = public_of(requesting_clinic(slug))
    return Referral(clinic, view, consent_text(clinic, view, view.lang))


def refer(  # noqa: PLR0913 - the journal, the clinic, the form, the knowledge base, the language, the text shown
    actor: Actor,
    store: Journals,
    token: str,
    slug: str,
    *,
    form: RequestForm,
    kb: KnowledgeBase,
    lang: Lang | None,
    shown_digest: str | None = None,
) -> ConsultationRequest:
    """Send the journal's summary to the clinic, with consent; InvalidInputError names what is missing.

    ``lang`` ``None`` is the journal's own language. ``shown_digest``: the digest of the consent text
    the person was shown; one that is no longer the text for this journal (it changed since) is refused
    under ``consent``. The journal keeps the clinic's name and the instant (``referrals``), nothing more.
    """
    record = find_record(store, token)
    view = stored_view(record, kb, lang)
    clinic = requesting_clinic(slug)
    text = consent_text(public_of(clinic), view, view.lang)
    problems = []
    if shown_digest is not None and shown_digest != text_digest(text):
        problems.append(
            Problem("consent", N_("your journal changed since this page was shown: read what is sent again"))
        )
    details = checked_form(clinic, form, problems)
    sent = Sent(form.message, dict(record.profile), view.assessment, text, journal_summary(view))
    entry = ReferralEntry(clinic.name, clinic.slug, timezone.now())

    def traced(stored: JournalRecord) -> JournalRecord:
        return replace(stored, state=with_referral(stored.state, entry))

    with transaction.atomic():  # the request and its trace in the journal, or neither
        request = store_request(actor, clinic, view.lang, details, sent)
        store.change(digest(token), traced)
    return request
