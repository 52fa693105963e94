"""Page views: each parses the request, calls one service and renders a template."""
