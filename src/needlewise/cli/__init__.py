"""The ``needlewise`` command line."""
