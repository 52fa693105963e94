"""The consumer web app (Django, Jinja2 templates, htmx) and the project's Django configuration."""
