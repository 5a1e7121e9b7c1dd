"""An import's life as a job, free of frameworks: which status follows which, and what the worker does next.

uploaded → validating → validated → committing → completed, each step possibly → rejected. With a mode given at
upload the job skips the wait: `valid_rows_only` is checked and committed chunk by chunk while it is `committing`,
`all_or_nothing` goes from validating straight to committing. A job found `uploaded`, `validating` or `committing`
(with its file still kept) after a crash is taken up again from there.
"""

from __future__ import annotations

UPLOADED, VALIDATING, VALIDATED, COMMITTING = "uploaded", "validating", "validated", "committing"
COMPLETED, REJECTED = "completed", "rejected"
# The statuses a worker still has work in; the others wait for an officer or are over.
WAITING_FOR_WORKER = (UPLOADED, VALIDATING, COMMITTING)
TRANSITIONS: dict[str, frozenset[str]] = {
    UPLOADED: frozenset({VALIDATING, COMMITTING, REJECTED}),
    VALIDATING: frozenset({VALIDATING, VALIDATED, COMMITTING, REJECTED}),  # a crashed check starts again
    VALIDATED: frozenset({COMMITTING}),  # the officer chose a mode
    COMMITTING: frozenset({COMMITTING, COMPLETED, REJECTED}),  # a crashed commit goes on
    COMPLETED: frozenset(),
    REJECTED: frozenset(),
}


class ImportJobError(RuntimeError):
    """A step the job's status does not allow: a bug, never the officer's doing."""


def moved(old: str, new: str) -> str:
    """`new`, if an import that is `old` may become it."""
    if new not in TRANSITIONS.get(old, frozenset()):
        raise ImportJobError(f"an import that is {old} cannot become {new}")
    return new


def checking_status(mode: str | None) -> str:
    """The status while rows are checked: checked and committed at once in `valid_rows_only`."""
    return COMMITTING if mode == "valid_rows_only" else VALIDATING


def status_when_staged(mode: str | None) -> str:
    """After every row is checked and staged: committing if a mode was given at upload, else waiting for one."""
    return COMMITTING if mode else VALIDATED


def needs_checking(status: str, file_kept: bool) -> bool:
    """Rows still to check: not checked yet, a check that stopped, or a chunk-by-chunk commit that stopped halfway
    (its file is kept until its last chunk)."""
    return status in (UPLOADED, VALIDATING) or (status == COMMITTING and file_kept)
