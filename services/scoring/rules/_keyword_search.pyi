"""Types of the C extension _keyword_search.c (see keywords.py, which builds its tables)."""

from collections.abc import Hashable, Sequence
from typing import Any

class Automaton:
    def __init__(
        self,
        trans_start: Sequence[int],
        trans_char: Sequence[int],
        trans_next: Sequence[int],
        fail: Sequence[int],
        out_start: Sequence[int],
        out_key: Sequence[int],
        key_len: Sequence[int],
        start_kind: Sequence[int],
        end_kind: Sequence[int],
        own_start: Sequence[int],
        own_slot: Sequence[int],
        own_term: Sequence[str],
        owners: tuple[Hashable, ...],
        /,
    ) -> None: ...
    def find(
        self, texts: Sequence[str], edges: Sequence[str], turns: Sequence[int], /
    ) -> dict[Any, list[tuple[int, str, int, int]]]: ...
