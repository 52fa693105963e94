"""The clinic workspace's use cases, each one permission-checked, transactional and audited.

Every use case carries the guard of :mod:`needlewise.clinic.access.guard`: it checks permission,
runs the work in one transaction with its audit row, and records a miss. Records are reached only
through :mod:`needlewise.clinic.access.tenancy`, one access function per kind of record, which finds
rows of the actor's own clinic and nothing else.

Edges (web pages, API, CLI) call these functions with an :class:`~needlewise.clinic.access.actor.Actor`;
they never query clinic tables themselves. Permission comes from :mod:`needlewise.domain.permissions`,
the one written table.

Sub-packages, by concept: ``access`` (who acts, and on what), ``audit`` (the log), ``accounts``
(clinics, staff, sign-in), ``records`` (clients, screenings, plans), ``consent``, ``treatment``
(treatment sessions), ``followup`` (check-ins, adverse events, re-screening, recall), ``scheduling``
and ``intake``.
"""
