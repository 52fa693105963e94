"""Django app for the web pages."""

from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The consumer web app."""

    name = "needlewise.web"
    label = "web"
