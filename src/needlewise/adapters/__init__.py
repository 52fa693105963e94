"""Adapters: the concrete parts behind the ports of :mod:`needlewise.services.ports` that are not storage."""
