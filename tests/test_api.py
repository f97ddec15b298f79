"""The public API is small and guarded; the pipeline checks its stage order."""

from __future__ import annotations

import pytest

import storyline
from storyline.errors import PipelineError
from storyline.pipeline import CLEAN_STAGES, Pipeline


def test_exported_members() -> None:
    assert set(storyline.__all__) == {
        "Document", "Evidence", "IngestReport", "InputError", "OffsetMap", "Paragraph",
        "Passage", "Pipeline", "ReadOptions", "Rejection", "Stage", "Store", "StoreError",
        "StorylineError", "__version__", "export", "ingest", "read"}
    for name in storyline.__all__:
        assert hasattr(storyline, name)


def test_pipeline_has_named_stages_in_order() -> None:
    assert Pipeline().names == ["clean", "language", "metadata", "identity", "nlp", "time",
                                "entities", "claims", "events", "signature"]


def test_misordered_pipeline_fails_when_built() -> None:
    clean, language, metadata, identity = CLEAN_STAGES
    with pytest.raises(PipelineError, match="stage 'metadata' needs"):
        Pipeline([metadata, clean, language, identity])
