"""Page views: each parses the request, calls one service and renders a template."""

from needlewise.web import converters  # noqa: F401 - registers the "id" path converter before any URL list is built
