"""Load and completely validate the knowledge base in ``knowledge/``."""
