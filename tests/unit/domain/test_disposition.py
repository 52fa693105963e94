"""The clinic disposition: one mapping from the engine's tier, never weaker, in both languages."""

from __future__ import annotations

import itertools

import pytest

from needlewise.domain.disposition import Disposition
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang


def test_each_tier_has_its_disposition() -> None:
    assert {tier: Disposition.of_tier(tier) for tier in Tier} == {
        Tier.HOME_OK: Disposition.OK_TO_TREAT,
        Tier.HOME_CAUTION: Disposition.TREAT_WITH_PRECAUTIONS,
        Tier.CLINIC: Disposition.TREAT_WITH_PRECAUTIONS,
        Tier.MEDICAL_REVIEW: Disposition.PROVIDER_CLEARANCE,
        Tier.STOP: Disposition.DO_NOT_TREAT,
    }


@pytest.mark.parametrize(("lower", "higher"), list(itertools.combinations(Tier, 2)))
def test_a_stricter_tier_never_gets_a_weaker_disposition(lower: Tier, higher: Tier) -> None:
    # A "not sure" answer is never safer than the answers it could stand for: the engine's tier is not,
    # and a mapping that keeps the order keeps that for the disposition.
    assert lower.rank < higher.rank
    assert Disposition.of_tier(lower).rank <= Disposition.of_tier(higher).rank


def test_only_a_clean_home_ok_result_is_ok_to_treat() -> None:
    assert [t for t in Tier if Disposition.of_tier(t) is Disposition.OK_TO_TREAT] == [Tier.HOME_OK]


def test_a_stricter_reason_or_an_open_answer_raises_the_disposition() -> None:
    assert Disposition.of(Tier.HOME_OK) is Disposition.OK_TO_TREAT
    assert Disposition.of(Tier.HOME_OK, [Tier.HOME_OK]) is Disposition.OK_TO_TREAT
    assert Disposition.of(Tier.HOME_OK, open_answers=1) is Disposition.TREAT_WITH_PRECAUTIONS
    assert Disposition.of(Tier.HOME_OK, [Tier.STOP]) is Disposition.DO_NOT_TREAT
    assert Disposition.of(Tier.MEDICAL_REVIEW, [Tier.CLINIC], open_answers=2) is Disposition.PROVIDER_CLEARANCE


def test_the_dispositions_are_ordered_by_rank() -> None:
    assert [d.rank for d in Disposition] == [0, 1, 2, 3]


def test_each_disposition_has_its_words_in_both_languages() -> None:
    assert [d.label(Lang.EN) for d in Disposition] == [
        "OK to treat",
        "Treat with these precautions",
        "Provider clearance needed",
        "Do not treat now",
    ]
    assert [d.label(Lang.ES) for d in Disposition] == [
        "Se puede tratar",
        "Tratar con estas precauciones",
        "Necesita autorización médica",
        "No tratar ahora",
    ]
    for disposition in Disposition:
        english, spanish = disposition.summary(Lang.EN), disposition.summary(Lang.ES)
        assert english
        assert spanish
        assert english != spanish
        # Staff words: nothing written for a consumer deciding about home use.
        assert "home" not in english.lower()
        assert "casa" not in spanish.lower()
