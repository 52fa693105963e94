"""A referred journal's summary read by staff in their own language: the knowledge base's words; the record kept."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pytest
from markupsafe import escape

from needlewise import bootstrap
from needlewise.domain.permissions import Role
from needlewise.domain.treatment import Answer
from needlewise.domain.vocabulary import Area, Lang, Product
from needlewise.engine.journal import TOO_SOON
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services import journal, journal_checks
from needlewise.services.journal_entries import SessionEntry
from needlewise.storage.models import ConsultationRequest
from web import journal_support as js
from web.clinic.referral_support import browser, sent_and_opened
from web.clinic.support import Site, staff_client

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
SESSION_ON = date(2026, 11, 4)


@pytest.fixture
def key(kb: KnowledgeBase) -> str:
    """A paused journal (a goal for a clinic, then a cold sore): a session too soon with a serum, a worrying check."""
    made = js.started(kb, {**js.GLOW, "goals": ["acne_scars"]})
    store = bootstrap.journals()
    journal.log_session(store, made, SessionEntry(date(2026, 11, 3), 0.25, frozenset({Area.CHEEKS})), kb, None, TODAY)
    session = SessionEntry(SESSION_ON, 0.25, frozenset({Area.CHEEKS}), frozenset({Product.RETINOID_SERUM}))
    journal.log_session(store, made, session, kb, None, TODAY)
    asked = journal_checks.check_questions_for(store, made, kb, date(2026, 11, 5))
    answers = {q.question_id: Answer.YES for q in asked.questions}
    journal_checks.check_skin(store, made, answers, kb, Lang.EN, date(2026, 11, 5))
    document = dict(store.get(journal.digest(made)).profile)  # type: ignore[union-attr]
    journal_checks.report_change(store, made, {**document, "skin_now": ["cold_sore"]}, kb, None)
    return made


def sent(site: Site, key: str, person: str, staff: str) -> str:
    """The journal's part of the intake page, in ``staff``'s language, of the journal ``key`` sent in ``person``'s."""
    url = f"/journal/{key}/referral/{site.clinic.slug}/"
    status, page = sent_and_opened(site, url, browser(person).get(url).content.decode(), langs=(person, staff))
    assert status == 200
    return journal_part(page)


def journal_part(page: str) -> str:
    """The journal's summary on an intake page (the result sent beside it is another record)."""
    start = page.index('<section aria-labelledby="journal-title"')
    return page[start : page.index("</section>", start)]


def findings(summary: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every finding the summary's page shows: the pause's reasons, each session's, each change's reasons."""
    yield from summary["paused"]["reasons"]
    for session in summary["sessions"]:
        yield from session["findings"]
    for change in summary["changes"]:
        yield from change["reasons"]


def rule_titles(kb: KnowledgeBase) -> dict[str, Any]:
    """Each rule's title (in both languages) by its id."""
    return {rule.rule_id: rule.title for rule in kb.rules}


@pytest.mark.parametrize(("person", "staff"), [("es", "en"), ("en", "es")])
def test_staff_read_the_titles_questions_and_outcome_in_their_language(
    site_a: Site, key: str, kb: KnowledgeBase, person: str, staff: str
) -> None:
    page = sent(site_a, key, person, staff)
    stored = ConsultationRequest.objects.get(journal_summary__isnull=False).journal_summary
    assert stored["lang"] == person  # the record of what was sent stays in the person's language
    titles = rule_titles(kb)
    shown = list(findings(stored))
    assert {f["rule_id"] for f in shown} >= {"goal-needs-clinic", "active-cold-sore"}  # a pause and a change's reason
    assert [f["rule_id"] for f in stored["sessions"][1]["findings"]][:1] == [TOO_SOON]  # a journal's own finding
    for finding in shown:
        rule = finding["rule_id"]
        words = (titles[rule] if rule != TOO_SOON else kb.treatment.home_journal.too_soon_title).in_(Lang(staff))
        assert str(escape(words)) in page
        assert str(escape(finding["title"])) not in page  # the person's words are not shown beside them
    questions = {q.question_id: q.text for q in kb.treatment.checkin.questions}
    answered = stored["checks"][0]["answers"]
    assert answered
    for answer in answered:
        assert str(escape(questions[answer["id"]].in_(Lang(staff)))) in page
        assert str(escape(answer["text"])) not in page
    outcome = {"en": "Seek medical care now", "es": "Busca atención médica ahora"}[staff]
    assert f'data-triage="seek_care_now">{outcome}' in page


def test_a_finding_or_question_todays_knowledge_base_does_not_know_keeps_its_stored_words(
    site_a: Site, key: str, kb: KnowledgeBase
) -> None:
    sent(site_a, key, "es", "en")
    row = ConsultationRequest.objects.get(journal_summary__isnull=False)
    summary = row.journal_summary
    removed = {**summary["paused"]["reasons"][0], "rule_id": "a-rule-since-removed", "title": "Una regla retirada"}
    summary["paused"]["reasons"].append(removed)
    old = {"id": "a-question-since-removed", "text": "¿Pregunta ya retirada?", "answer": "yes", "yes": True}
    summary["checks"][0]["answers"].append(old)
    row.journal_summary = summary
    row.save(update_fields=["journal_summary"])
    page = journal_part(staff_client(site_a.members[Role.NURSE]).get(f"/clinic/intake/{row.pk}/").content.decode())
    assert "Una regla retirada" in page
    assert "¿Pregunta ya retirada?" in page
    assert str(escape(rule_titles(kb)["goal-needs-clinic"].en)) in page  # the known ones in the page's language
