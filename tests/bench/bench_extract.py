"""Extraction speed from text: reports per second on one core over the TCGA dev corpus texts (target >= 100/s).

Run with ``make bench BENCH=extract`` or ``python -m tests.bench.bench_extract``. The pipeline is built and warmed
before timing; each report is extracted once per round, three rounds, and the best round is reported.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from extract.pipeline import extract_text
from tests.support.corpus import TCGA_DEV

CORPUS = TCGA_DEV
SAMPLE = (
    "FINAL DIAGNOSIS: A. BREAST, LEFT, MASTECTOMY: INVASIVE DUCTAL CARCINOMA, NOTTINGHAM GRADE 2. "
    "ESTROGEN RECEPTOR: POSITIVE (95%). PROGESTERONE RECEPTOR: POSITIVE (40%). HER2 (4B5): 2+ (EQUIVOCAL). "
    "HER2 FISH: NOT AMPLIFIED, RATIO 1.3. Ki-67: 20%. PATHOLOGIC STAGE: pT2 pN1a MX. "
)


def _texts() -> list[str]:
    if CORPUS.is_file():
        return [json.loads(line)["text"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [SAMPLE * 10] * 100  # about 2,900 characters, like a median report


def main() -> None:
    """Print reports/s and per-report latency."""
    texts = _texts()
    extract_text(texts[0])  # build the pipeline outside the timing
    wall, cpu = [], []
    for _ in range(3):
        started, started_cpu = time.perf_counter(), time.process_time()
        for text in texts:
            extract_text(text)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    chars = statistics.median(len(t) for t in texts)
    # CPU time is what one core delivers; wall time also counts waiting for a core on a shared machine
    sys.stdout.write(
        f"extract_text: {len(texts)} reports (median {chars:.0f} chars), best of 3 rounds: "
        f"{len(texts) / min(cpu):.1f} reports/s of CPU time ({1000 * min(cpu) / len(texts):.2f} ms/report), "
        f"{len(texts) / min(wall):.1f} reports/s wall; target >= 100 reports/s on one core\n"
    )


if __name__ == "__main__":
    main()
