"""needlewise: is microneedling at home safe for me, and if not, where and how?

The public surface: load the knowledge base, parse a profile document (v2; v1 is deprecated), assess it.

>>> from needlewise import load_knowledge_base, parse_profile, assess
>>> kb = load_knowledge_base()
>>> assess(parse_profile({"setting": "home", "age": 30, "goals": ["glow"]}), kb).tier.value
'home_ok'
"""

from needlewise.domain.assessment import Assessment, Finding
from needlewise.domain.plan import Plan
from needlewise.domain.profile import Device, Profile, RecentProcedure
from needlewise.domain.tier import Tier
from needlewise.domain.vocabulary import Lang
from needlewise.engine.evaluate import assess
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.errors import KnowledgeBaseError, NeedlewiseError, Problem, ProfileError
from needlewise.kb.loader import load_knowledge_base
from needlewise.services.profiles import parse_profile, parse_profile_json, profile_json_schema

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "Device",
    "Finding",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Lang",
    "NeedlewiseError",
    "Plan",
    "Problem",
    "Profile",
    "ProfileError",
    "RecentProcedure",
    "Tier",
    "__version__",
    "assess",
    "load_knowledge_base",
    "parse_profile",
    "parse_profile_json",
    "profile_json_schema",
]
