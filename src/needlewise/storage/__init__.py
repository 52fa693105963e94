"""Persistence: Django models and repositories behind the services' ports."""
