"""Hypothesis strategies for valid profiles, and for ways of adding one risk factor to a profile."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from hypothesis import strategies as st

from needlewise.domain.profile import Device, Profile, RecentProcedure
from needlewise.domain.vocabulary import (
    Area,
    DeviceKind,
    Goal,
    History,
    Medication,
    ProcedureKind,
    Product,
    Setting,
    SkinNow,
)

BOUNDARY_MM = [0.1, 0.18, 0.2, 0.25, 0.3, 0.3001, 0.5, 0.5001, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0]
needle_lengths = st.one_of(st.none(), st.sampled_from(BOUNDARY_MM), st.floats(0.01, 5.0))
weeks = st.one_of(st.sampled_from([0.0, 0.5, 1.0, 1.99, 2.0, 3.99, 4.0, 12.99, 13.0, 51.9, 52.0]), st.floats(0, 300))
months = st.one_of(st.none(), st.sampled_from([0.0, 3.0, 5.99, 6.0, 12.0]), st.floats(0, 240))

devices = st.builds(
    Device,
    kind=st.sampled_from(DeviceKind),
    needle_mm=needle_lengths,
    uses=st.one_of(st.none(), st.integers(0, 40)),
    shared=st.booleans(),
    sterile_single_use=st.booleans(),
)
procedures = st.builds(RecentProcedure, kind=st.sampled_from(ProcedureKind), weeks_ago=weeks)

profiles = st.builds(
    Profile,
    setting=st.sampled_from(Setting),
    age=st.one_of(st.sampled_from([16, 17, 18, 21, 22, 30]), st.integers(0, 120)),
    goals=st.frozensets(st.sampled_from(Goal), max_size=4),
    areas=st.frozensets(st.sampled_from(Area), max_size=4),
    device=devices,
    pregnant_or_breastfeeding=st.booleans(),
    fitzpatrick=st.one_of(st.none(), st.integers(1, 6)),
    skin_now=st.frozensets(st.sampled_from(SkinNow), max_size=2),
    history=st.frozensets(st.sampled_from(History), max_size=2),
    medications=st.frozensets(st.sampled_from(Medication), max_size=2),
    isotretinoin_months_since_stop=months,
    recent_procedures=st.lists(procedures, max_size=3).map(tuple),
    planned_products=st.frozensets(st.sampled_from(Product), max_size=2),
)

Mutation = Callable[[Profile], Profile]


def _add(field: str, values: type) -> st.SearchStrategy[Mutation]:
    return st.sampled_from(list(values)).map(
        lambda v: lambda p: dataclasses.replace(p, **{field: getattr(p, field) | {v}})
    )


def _device(**changes: object) -> Mutation:
    return lambda p: dataclasses.replace(p, device=dataclasses.replace(p.device, **changes))


def _longer_needle(extra: float) -> Mutation:
    def mutate(p: Profile) -> Profile:
        current = p.device.needle_mm
        return _device(needle_mm=min(5.0, (current or 0.01) + extra))(p) if current is not None else p

    return mutate


def _younger(years: int) -> Mutation:
    return lambda p: dataclasses.replace(p, age=max(0, p.age - years))


def _darker(steps: int) -> Mutation:
    return lambda p: dataclasses.replace(p, fitzpatrick=min(6, (p.fitzpatrick or 1) + steps))


def _isotretinoin(months_ago: float) -> Mutation:
    def mutate(p: Profile) -> Profile:
        current = p.isotretinoin_months_since_stop
        return dataclasses.replace(
            p, isotretinoin_months_since_stop=months_ago if current is None else min(current, months_ago)
        )

    return mutate


def _procedure(kind: ProcedureKind, weeks_ago: float) -> Mutation:
    return lambda p: dataclasses.replace(p, recent_procedures=(*p.recent_procedures, RecentProcedure(kind, weeks_ago)))


def _more_uses(extra: int) -> Mutation:
    return lambda p: _device(uses=(p.device.uses or 0) + extra)(p)


risk_additions: st.SearchStrategy[Mutation] = st.one_of(
    _add("skin_now", SkinNow),
    _add("history", History),
    _add("medications", Medication),
    _add("planned_products", Product),
    _add("goals", Goal),
    _add("areas", Area),
    st.just(lambda p: dataclasses.replace(p, pregnant_or_breastfeeding=True)),
    st.just(_device(shared=True)),
    st.just(_device(sterile_single_use=False)),
    st.floats(0.01, 3.0).map(_longer_needle),
    st.integers(1, 20).map(_more_uses),
    st.integers(1, 30).map(_younger),
    st.integers(1, 5).map(_darker),
    months.filter(lambda m: m is not None).map(_isotretinoin),
    st.builds(_procedure, st.sampled_from(ProcedureKind), weeks),
)
