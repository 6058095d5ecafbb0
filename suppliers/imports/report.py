"""What an import returns: counts and every problem found, row by row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True, order=True)
class RowError:
    """One problem: the row as the user counts it (header = 1; 0 = the file as a whole)."""

    row: int
    column: str
    reason: str
    value: str = ""  # what the file held there, as typed ("" for a missing value)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class ImportReport:
    """The outcome of one import: nothing is saved unless ``ok``."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def reject(self, errors: list[RowError], *, columns: Sequence[str] = ()) -> ImportReport:
        """Keep the errors in file order: by row, then in the format's column order."""
        position = {name: i for i, name in enumerate(columns)}
        self.errors = sorted(errors, key=lambda e: (e.row, position.get(e.column, len(position))))
        self.created = self.updated = self.unchanged = 0
        return self
