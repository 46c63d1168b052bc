"""Job ids cut into task messages: as few as the chunk size allows, about equal, nothing lost or reordered."""

from __future__ import annotations

import pytest

from worker.chunks import even_chunks


@pytest.mark.parametrize(
    ("count", "most", "sizes"),
    [
        (0, 8, []),
        (1, 8, [1]),
        (8, 8, [8]),
        (9, 8, [5, 4]),
        (17, 8, [6, 6, 5]),
        (16, 8, [8, 8]),
        (120, 50, [40, 40, 40]),
    ],
)
def test_chunks_are_as_few_and_as_even_as_the_size_allows(count: int, most: int, sizes: list[int]) -> None:
    ids = [f"job{i}" for i in range(count)]
    chunks = even_chunks(ids, most)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [job for chunk in chunks for job in chunk] == ids


def test_every_count_up_to_a_few_chunks_keeps_within_the_size() -> None:
    for count in range(1, 200):
        sizes = [len(chunk) for chunk in even_chunks([str(i) for i in range(count)], 8)]
        assert len(sizes) == -(-count // 8)
        assert max(sizes) <= 8
        assert max(sizes) - min(sizes) <= 1
