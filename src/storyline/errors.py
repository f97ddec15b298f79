"""Storyline's exceptions.

All of them derive from `StorylineError`, so a caller can catch that one::

    StorylineError
    ├── InputError           one input item cannot be used (it is reported and skipped,
    │   │                    the rest of the run goes on)
    │   ├── EmptyInput        the file or record holds no text at all
    │   ├── BinaryInput       the bytes are not text (NUL bytes, a PDF, an image, ...)
    │   ├── DecodeError       not UTF-8, and no legacy encoding we try fits
    │   ├── TooLarge          over the size limit for one article
    │   ├── FormatError       malformed JSON, a record that is not an object, ...
    │   ├── MissingText       a JSON record without a usable `text` or `html` field
    │   ├── NoContent         nothing of the article is left once boilerplate is removed
    │   ├── AliasFileError    a user alias file that cannot be read or has a bad entry
    │   └── GoldFileError     a gold story file (evaluation) that cannot be read or has a
    │                         bad row
    ├── PipelineError        the stages do not fit together (found when the pipeline is built)
    └── StoreError           the database cannot be used
        └── SchemaVersionError  the database was written by a newer Storyline

Input errors carry the item's `source` (file path or URL) and, for JSON Lines and JSON
lists, the `line` or item number, so messages name exactly which input was bad and why.
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base class of every error Storyline raises on purpose."""


class InputError(StorylineError):
    """One input item cannot be used; the message says which one and why."""

    kind = "input"

    def __init__(self, reason: str, *, source: str | None = None, line: int | None = None):
        self.reason = reason
        self.source = source
        self.line = line
        super().__init__(self.describe())

    def locate(self, source: str, line: int | None = None) -> InputError:
        """Fill in where the bad item came from, when the raiser did not know."""
        if self.source is None:
            self.source = source
        if self.line is None:
            self.line = line
        self.args = (self.describe(),)
        return self

    def describe(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


class EmptyInput(InputError):
    kind = "empty"


class BinaryInput(InputError):
    kind = "binary"


class DecodeError(InputError):
    kind = "encoding"


class TooLarge(InputError):
    kind = "too-large"


class FormatError(InputError):
    kind = "format"


class MissingText(InputError):
    kind = "missing-text"


class NoContent(InputError):
    kind = "no-content"


class AliasFileError(InputError):
    """A user alias file that cannot be read or has a bad entry."""

    kind = "aliases"


class GoldFileError(InputError):
    """A gold file of story labels that cannot be read or has a bad row."""

    kind = "gold"


class PipelineError(StorylineError):
    """The per-document stages are in an order that cannot work."""


class StoreError(StorylineError):
    """The database cannot be opened or used."""


class SchemaVersionError(StoreError):
    """The database was written by a newer Storyline than this one."""
