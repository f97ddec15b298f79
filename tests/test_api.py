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
    assert Pipeline().names == ["clean", "language", "metadata", "identity", "parse",
                                "mentions", "time", "entities", "claims", "events",
                                "signature"]


def test_a_pipeline_cuts_after_a_stage_into_two_checked_parts() -> None:
    pipeline = Pipeline()
    parts = pipeline.split("parse")
    assert parts is not None
    head, tail = parts
    assert head.names == ["clean", "language", "metadata", "identity", "parse"]
    assert tail.names == pipeline.names[5:]
    assert "analyses" in head.provides and "analyses" in tail.given
    assert pipeline.split("signature") is None  # nothing after it
    assert pipeline.split("no such stage") is None
    # the rest alone, without what the first part provides, is refused
    with pytest.raises(PipelineError, match="stage 'mentions' needs"):
        Pipeline(tail.stages)


def test_misordered_pipeline_fails_when_built() -> None:
    clean, language, metadata, identity = CLEAN_STAGES
    with pytest.raises(PipelineError, match="stage 'metadata' needs"):
        Pipeline([metadata, clean, language, identity])
