"""Use cases: parse Profile v1, assess one or many profiles, walk the questionnaire."""
