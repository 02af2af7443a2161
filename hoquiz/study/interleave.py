"""The order new cards are introduced in: interleaved across question types and banks.

Studying one kind of question after another (all the multiple choice of a
bank, then its flashcards) is what interleaving research advises against
(Rohrer et al. 2014). New cards are spread so that each question type keeps
its share all the way through, and so that any :data:`WINDOW` consecutive
new cards show at least :data:`MIN_TYPES` types, wherever the cards still to
come have that many.

The order depends on the cards alone (their types, banks and file order), so
it is the same in every session and on every machine: no randomness is
involved.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Protocol, TypeVar, cast

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Queue(Protocol[T_co]):
    """What :func:`interleave_queues` takes items from: a deque, or anything that counts
    what it holds and gives them from the left."""

    def __len__(self) -> int: ...

    def popleft(self) -> T_co: ...


WINDOW = 20
MIN_TYPES = 5


def interleave(
    items: Sequence[T],
    kind: Callable[[T], Hashable],
    group: Callable[[T], Hashable],
    *,
    window: int = WINDOW,
    min_kinds: int = MIN_TYPES,
) -> Iterator[T]:
    """``items`` reordered: kinds spread in proportion, groups taken in turn.

    Items of one kind and group keep their relative order. Every run of
    ``window`` consecutive items holds at least ``min_kinds`` kinds, or every
    kind still to come from the run's start if there are fewer.

    A weighted round robin (each kind weighted by its count, as in smooth
    weighted round-robin load balancing) picks the kind; when a run of
    ``window`` would otherwise fall short of ``min_kinds``, a kind it lacks
    goes next. Within the kind, the group (bank) used least recently goes
    next. Lazy: a session takes only the first few.
    """
    queues: dict[Hashable, dict[Hashable, deque[T]]] = {}
    for item in items:
        queues.setdefault(kind(item), {}).setdefault(group(item), deque()).append(item)
    # A deque is a Queue; the dict's value type is invariant, so it is said so.
    return interleave_queues(
        cast("dict[Hashable, dict[Hashable, Queue[T]]]", queues),
        window=window,
        min_kinds=min_kinds,
    )


def interleave_queues(
    queues: dict[Hashable, dict[Hashable, Queue[T]]],
    *,
    window: int = WINDOW,
    min_kinds: int = MIN_TYPES,
) -> Iterator[T]:
    """:func:`interleave` of items already queued by kind, then group, in first-seen order.

    Consumes ``queues``.
    """
    weights = {k: sum(len(q) for q in groups.values()) for k, groups in queues.items()}
    credit = dict.fromkeys(queues, 0)
    last_used: dict[Hashable, int] = {}  # group -> position of its latest item
    placed: list[Hashable] = []  # the kinds of the items yielded so far
    while queues:
        total = sum(weights[k] for k in queues)
        for k in queues:
            credit[k] += weights[k]
        candidates = _lacking(placed, list(queues), window, min_kinds) or list(queues)
        chosen = max(candidates, key=lambda k: credit[k])  # ties: the first kind seen
        credit[chosen] -= total
        groups = queues[chosen]
        turn = min(groups, key=lambda g: last_used.get(g, -1))  # ties: the first group seen
        yield groups[turn].popleft()
        last_used[turn] = len(placed)
        placed.append(chosen)
        if not groups[turn]:
            del groups[turn]
            if not groups:
                del queues[chosen]


def _lacking(
    placed: list[Hashable], remaining: list[Hashable], window: int, min_kinds: int
) -> list[Hashable]:
    """The kinds that must come next for some run of ``window`` to reach ``min_kinds``.

    Looks at every run that the next item ends or belongs to, from the oldest:
    a run is tight when the kinds it still needs are as many as its free
    places. A kind missing from the oldest tight run is missing from every
    later one too, so it serves them all. Empty when no run is tight.
    """
    position = len(placed)
    for start in range(max(0, position - window + 1), position + 1):
        seen = set(placed[start:position])
        wanted = min(min_kinds, len(seen.union(remaining)))
        free = start + window - position
        if wanted - len(seen) >= free:
            return [k for k in remaining if k not in seen]
    return []
