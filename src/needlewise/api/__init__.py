"""The versioned JSON API (django-ninja): ``/api/v1``, OpenAPI at ``/openapi.json``, docs at ``/docs``."""
