"""Use cases: parse profiles (v2, and the deprecated v1), assess one or many profiles, walk the questionnaire."""
