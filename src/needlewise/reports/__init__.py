"""Render assessments for people: Markdown (and, through it, text and HTML later)."""
