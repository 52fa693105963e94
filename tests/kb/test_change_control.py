"""Change control: the committed records follow the knowledge base.

* ``knowledge/kb.lock`` records kb.yaml's version with the content hash of the whole knowledge base: a
  content change without a version bump fails here.
* ``tests/kb/vignette_verdicts.json`` is the reviewed verdict of every vignette (tier, fired rules,
  home needle limit): any verdict change fails here until it is reviewed and re-recorded.

Both are re-recorded with one command after review: ``make kb-snapshot BUMP=patch|minor|major``
(docs/kb-authoring.md, "Change control").
"""

from __future__ import annotations

from pathlib import Path

from needlewise.engine.kb_diff import compare_verdicts, verdicts
from needlewise.engine.knowledge import KnowledgeBase
from needlewise.kb.files import default_directory
from needlewise.kb.lock import lock_message, read_lock
from needlewise.services.change_control import Paths, read_cases
from needlewise.services.verdict_snapshot import read_snapshot, snapshot_message

HERE = Path(__file__).parent
PATHS = Paths.beside(default_directory(), vignettes=HERE / "vignettes.yaml", verdicts=HERE / "vignette_verdicts.json")


def test_the_version_is_recorded_with_this_content(kb: KnowledgeBase) -> None:
    problem = lock_message(read_lock(PATHS.lock), kb.version)
    assert problem is None, problem


def test_vignette_verdicts_match_the_reviewed_snapshot(kb: KnowledgeBase) -> None:
    cases = read_cases(PATHS.vignettes)
    assert cases.skipped == {}, f"vignettes with an invalid profile: {cases.skipped}"
    changes = compare_verdicts(read_snapshot(PATHS.verdicts), verdicts(cases.profiles, kb))
    assert changes == (), snapshot_message(changes)
