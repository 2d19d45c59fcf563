"""One value per key: the statistics readers' one rule for a key given twice.

A statistics file (SCB, Brå, Kolada) holds one value per key: the area, the year and the
source's other key columns (SCB's kön and ålder, Brå's brottstyp, Kolada's nyckeltal and
kön). A key given again with the same value (a row pasted twice, 'Totalt' beside 'Samtliga
brott') is read once and counted in the load report. Given again with another value (a row
pasted and edited, a sub-heading such as 'Mot kvinna' under two offences), which value is
right cannot be known: every row of that key is rejected, each naming the others, and
nothing of that key is read.
"""

from __future__ import annotations

from collections.abc import Hashable

from pipelines.loading import Rejection
from pipelines.readers.text import swedish_list

_PLURAL = {"rad": ("rader", "raderna"), "post": ("poster", "posterna")}  # indefinite, definite
_LISTED = 10  # rows one message names; the rest are counted


def _same(a, b) -> bool:
    return a == b or (a != a and b != b)  # two NaN are the same missing value


class OneValuePerKey:
    """The values of a file, one per key (see the module docstring).

    ``what`` names the key in the messages ('kommun, år, kön och ålder'); ``place`` is how
    the file numbers what it holds: 'rad', or 'post' for the entries of a JSON answer.
    """

    def __init__(self, what: str, place: str = "rad") -> None:
        self.what, self.place = what, place
        self.values: dict[Hashable, object] = {}  # key -> its value, for the keys read
        self._where: dict[Hashable, list[tuple[int | None, str | None]]] = {}  # key -> (row, column) of each value
        self._conflicting: dict[Hashable, None] = {}  # keys given with two values, in file order

    def add(self, key: Hashable, value, row: int | None = None, column: str | None = None) -> bool:
        """Read ``value`` for ``key`` from ``row`` and ``column``. True when it is the key's
        first value (a repeat, or a key whose values differ, gives False)."""
        self._where.setdefault(key, []).append((row, column))
        if key in self._conflicting:
            return False
        if key not in self.values:
            self.values[key] = value
            return True
        if not _same(self.values[key], value):
            del self.values[key]
            self._conflicting[key] = None
        return False

    @property
    def conflicting(self) -> list[Hashable]:
        """The keys given with different values, none of whose values is read."""
        return list(self._conflicting)

    @property
    def repeated(self) -> int:
        """How many values repeated a key's value, and were read once."""
        return sum(len(self._where[key]) - 1 for key in self.values)

    def rejections(self) -> list[Rejection]:
        """Every value of a key given with different values, each naming the other rows."""
        out = []
        for key in self._conflicting:
            where = self._where[key]
            for row, column in where:
                others = sorted({r for r, _ in where if r is not None and r != row})
                said = f"som {self.place} {self._listed(others)}" if others else "en gång till i filen"
                out.append(Rejection(row, column, f"samma {self.what} {said} men ett annat värde; "
                                                  "ingen av dem lästes in"))
        return out

    def _plural(self) -> tuple[str, str]:
        return _PLURAL.get(self.place, (self.place, self.place))

    def _listed(self, rows: list[int]) -> str:
        """'4 och 5', '4, 5 och 9', past ten rows '4, 5, … 13 och 6 rader till'."""
        return swedish_list(rows, _LISTED, self._plural()[0])

    def lines(self) -> list[str]:
        """The load report's lines: values read once, and keys none of whose values was read."""
        lines = []
        if self.repeated:
            n = self.repeated
            lines.append(f"{n} {'värde' if n == 1 else 'värden'} stod två gånger med samma värde (samma {self.what}) "
                         "och lästes en gång.")
        if self._conflicting:
            rejected = self.rejections()
            rows = sorted({r.row_number for r in rejected if r.row_number is not None})
            shown = f" ({self.place} {self._listed(rows)})" if rows else ""
            lines.append(f"Samma {self.what} stod två gånger med olika värden{shown}; ingen av dem "
                         f"lästes in ({len(rejected)} värden). Rätta {self._plural()[1]} och läs in filen igen.")
        return lines
