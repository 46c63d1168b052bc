"""How job ids are cut into task messages, for Celery and the in-process pool alike."""

from __future__ import annotations

from collections.abc import Sequence


def even_chunks(job_ids: Sequence[str], most: int) -> list[list[str]]:
    """``job_ids`` in order, in as few chunks of at most ``most`` as will hold them, their sizes differing by one at
    most: 17 uploads go as 6, 6 and 5 rather than 8, 8 and 1, so the workers that take them finish about together."""
    count = -(-len(job_ids) // most)
    if count == 0:
        return []
    size, longer = divmod(len(job_ids), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < longer else 0)
        chunks.append(list(job_ids[start:end]))
        start = end
    return chunks
