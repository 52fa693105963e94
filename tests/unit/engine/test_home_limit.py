"""A home session above home use, on the real knowledge base: the cap home use allows and why."""

from __future__ import annotations

from dataclasses import replace

from factories import HOME_GLOW
from needlewise.domain.profile import Profile
from needlewise.domain.vocabulary import Area, Goal, Lang, Product
from needlewise.engine.home_limit import over_home_limit
from needlewise.engine.journal import TOO_SOON, HomeSession, session_findings
from needlewise.engine.knowledge import KnowledgeBase

GLOW = HOME_GLOW
DAY = 740_000


def _over(kb: KnowledgeBase, session: HomeSession, profile: Profile = GLOW, earlier: tuple[HomeSession, ...] = ()):
    return over_home_limit(kb, profile, session, session_findings(kb, profile, earlier, session, Lang.EN), Lang.EN)


def test_a_needle_over_the_clinic_line_is_capped_at_the_home_maximum_with_its_sources(kb: KnowledgeBase) -> None:
    session = HomeSession(DAY, 1.0, frozenset({Area.CHEEKS}), frozenset({Product.RETINOID_SERUM}))
    over = _over(kb, session)
    assert over is not None
    assert over.cap_mm == kb.home_needle.max_mm
    assert over.needle_over
    assert "home-needle-clinic-only" in [f.rule_id for f in over.reasons]
    assert over.cap_sources == kb.home_needle.citations
    assert set(kb.home_needle.citations) <= set(over.sources)
    assert all(source in kb.sources for source in over.sources)


def test_an_area_s_limit_is_the_cap_and_its_rule_is_a_reason(kb: KnowledgeBase) -> None:
    over = _over(kb, HomeSession(DAY, 0.5, frozenset({Area.UNDER_EYE})))
    assert over is not None
    assert over.cap_mm == 0.2
    ids = [f.rule_id for f in over.reasons]
    assert "under-eye-home-limit" in ids
    assert "needle-longer-than-area-limit" in ids
    assert over.cap_sources == ()


def test_a_goal_s_cap_counts_though_no_session_finding_reads_it(kb: KnowledgeBase) -> None:
    spots = replace(GLOW, goals=frozenset({Goal.HYPERPIGMENTATION}))
    over = _over(kb, HomeSession(DAY, 0.25, frozenset({Area.CHEEKS})), spots)
    assert over is not None
    assert (over.cap_mm, over.needle_over) == (0.2, True)
    assert [f.rule_id for f in over.reasons] == ["goal-hyperpigmentation"]


def test_a_product_for_clinics_is_above_home_use_with_a_needle_within_it(kb: KnowledgeBase) -> None:
    over = _over(kb, HomeSession(DAY, 0.25, frozenset({Area.CHEEKS}), frozenset({Product.PRP})))
    assert over is not None
    assert not over.needle_over
    assert [f.rule_id for f in over.reasons] == ["prp-needs-licensed-clinic"]


def test_no_home_length_at_all_is_over_whatever_the_needle(kb: KnowledgeBase) -> None:
    scars = replace(GLOW, goals=frozenset({Goal.ACNE_SCARS}))
    over = _over(kb, HomeSession(DAY, 0.25, frozenset({Area.CHEEKS})), scars)
    assert over is not None
    assert over.cap_mm is None
    assert over.needle_over
    assert over.reasons


def test_a_session_within_home_use_even_too_soon_is_not_over(kb: KnowledgeBase) -> None:
    first = HomeSession(DAY, 0.25, frozenset({Area.CHEEKS}))
    again = HomeSession(DAY + 1, 0.25, frozenset({Area.CHEEKS}))
    assert TOO_SOON in [f.rule_id for f in session_findings(kb, GLOW, [first], again, Lang.EN)]
    assert _over(kb, again, earlier=(first,)) is None
    assert _over(kb, HomeSession(DAY, 0.3, frozenset({Area.CHEEKS}))) is None
