"""An import's life as a job (members.domain.import_jobs): plain Python, no database."""

from __future__ import annotations

import pytest
from members.domain.import_jobs import (
    ImportJobError,
    checking_status,
    moved,
    needs_checking,
    status_when_staged,
)


@pytest.mark.parametrize(
    ("mode", "checking", "staged"),
    [
        (None, "validating", "validated"),
        ("all_or_nothing", "validating", "committing"),
        ("valid_rows_only", "committing", "committing"),
    ],
)
def test_the_mode_given_at_upload_decides_the_way(mode, checking, staged):
    assert (checking_status(mode), status_when_staged(mode)) == (checking, staged)


def test_a_job_takes_up_again_where_it_stopped():
    assert needs_checking("uploaded", file_kept=False) and needs_checking("validating", file_kept=False)
    assert needs_checking("committing", file_kept=True)  # checked and committed chunk by chunk: the file is kept
    assert not needs_checking("committing", file_kept=False) and not needs_checking("validated", file_kept=False)


def test_an_ended_job_never_moves_again():
    assert moved("validated", "committing") == "committing"
    for old, new in [("completed", "committing"), ("rejected", "validating"), ("validated", "completed")]:
        with pytest.raises(ImportJobError):
            moved(old, new)
