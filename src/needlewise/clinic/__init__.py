"""The clinic workspace's use cases, each one permission-checked, transactional and audited.

Each use case checks permission, does its work in one transaction and writes its audit row in that
same transaction.

Edges (web pages, API, CLI) call these functions with an :class:`~needlewise.clinic.access.actor.Actor`; they
never query clinic tables themselves. Permission comes from :mod:`needlewise.domain.permissions`, the
one written table; tenancy comes from every query being filtered by the actor's clinic.
"""
