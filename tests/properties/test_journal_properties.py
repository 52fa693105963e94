"""Properties of the home journal on the real knowledge base: the next day is never earlier than the
knowledge base's interval for the last session's length, and a stop finding always pauses; a session
above a home cap comes first, and its length is never offered for the next session."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import HOME_GLOW
from needlewise.domain.profile import Profile
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Area, Goal, Lang, Product
from needlewise.engine.evaluate import assess
from needlewise.engine.home_limit import home_cap
from needlewise.engine.journal import HomeSession, interval_for, logged_findings, next_session, pause, session_findings
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.services.journal_entries import SessionEntry
from needlewise.services.journal_state import journal_view
from strategies import BOUNDARY_MM, profiles

FIXTURE_OK = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
sessions = st.lists(
    st.builds(
        HomeSession,
        on=st.integers(739_000, 739_400),
        needle_mm=st.one_of(st.sampled_from(BOUNDARY_MM), st.floats(0.01, 5.0)),
    ),
    min_size=1,
    max_size=8,
)


@FIXTURE_OK
@given(goals=st.frozensets(st.sampled_from(Goal), max_size=4), logged=sessions)
def test_the_next_day_is_never_earlier_than_the_interval_after_the_last_session(
    kb: KnowledgeBase, goals: frozenset[Goal], logged: list[HomeSession]
) -> None:
    found = next_session(kb.treatment, goals, logged)
    assert found is not None
    last = max(logged, key=lambda s: s.on)
    for same_day in (s for s in logged if s.on == last.on):
        assert found.on >= same_day.on + interval_for(kb.treatment, goals, same_day.needle_mm).days
    assert found.on >= last.on + 1


@FIXTURE_OK
@given(profile=profiles)
def test_a_stop_finding_always_pauses(kb: KnowledgeBase, profile: Profile) -> None:
    assessment = assess(profile, kb)
    paused = pause(assessment)
    if any(f.tier is Tier.STOP for f in assessment.findings):
        assert paused is not None
        assert paused.tier is Tier.STOP
        assert any(r.tier is Tier.STOP for r in paused.reasons)
    if paused is None:
        assert assessment.tier.rank <= Tier.HOME_CAUTION.rank


#: Sessions that often repeat their needle length, areas and products, as people's do (the one pass
#: assesses each such combination once).
repeated = st.lists(
    st.builds(
        HomeSession,
        on=st.integers(739_000, 739_060),
        needle_mm=st.sampled_from((0.25, 0.5, 1.5)),
        areas=st.frozensets(st.sampled_from((Area.CHEEKS, Area.UNDER_EYE, Area.NECK)), max_size=2),
        products=st.frozensets(st.sampled_from((Product.HYALURONIC_ACID, Product.RETINOID_SERUM)), max_size=1),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(profile=profiles, logged=st.one_of(sessions, repeated))
def test_one_pass_finds_what_each_session_alone_finds(
    kb: KnowledgeBase, profile: Profile, logged: list[HomeSession]
) -> None:
    found = logged_findings(kb, profile, logged, Lang.EN)
    for i, session in enumerate(logged):
        before = [s for j, s in enumerate(logged) if s.on < session.on or (s.on == session.on and j < i)]
        alone = session_findings(kb, profile, before, session, Lang.EN)
        assert [f.rule_id for f in found[i]] == [f.rule_id for f in alone]


JOURNAL_PROFILE = HOME_GLOW
logged_entries = st.lists(
    st.builds(
        SessionEntry,
        on=st.dates(date(2026, 1, 1), date(2026, 3, 1)),
        needle_mm=st.sampled_from((0.2, 0.25, 0.3, 0.5, 1.0, 1.5)),
        areas=st.frozensets(st.sampled_from((Area.CHEEKS, Area.UNDER_EYE, Area.FOREHEAD)), min_size=1, max_size=2),
        products=st.frozensets(st.sampled_from((Product.RETINOID_SERUM, Product.HYALURONIC_ACID)), max_size=1),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    goals=st.frozensets(st.sampled_from((Goal.GLOW, Goal.HYPERPIGMENTATION, Goal.TEXTURE)), max_size=2),
    entries=logged_entries,
)
def test_a_session_above_a_home_cap_comes_first_and_its_length_is_never_offered_again(
    kb: KnowledgeBase, goals: frozenset[Goal], entries: list[SessionEntry]
) -> None:
    profile = replace(JOURNAL_PROFILE, goals=goals)
    state = {"sessions": [e.to_json() for e in entries]}
    view = journal_view(kb, profile, {}, state, Lang.ES)  # type: ignore[arg-type]
    latest = entries[-1].home_session()
    cap, _found = home_cap(kb, profile, latest, Lang.ES)
    if cap is not None and latest.needle_mm > cap:
        limit = next(limit for limit in view.limits if limit.session == latest)
        assert (limit.cap_mm, limit.needle_over) == (cap, True)
        assert limit.reasons
        assert all(source in kb.sources for source in limit.sources)
        offered = view.next_needle_mm_max
        assert offered is not None
        assert offered <= cap < latest.needle_mm
        assert view.to_json()["interval"]["next_needle_mm_max"] == offered  # type: ignore[index]
    if view.next_session_on is not None:
        for entry in entries:
            days = interval_for(kb.treatment, goals, entry.needle_mm).days
            assert view.next_session_on >= entry.on + timedelta(days=days)
