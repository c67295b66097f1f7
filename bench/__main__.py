"""Run every benchmark: ``python -m bench`` (``make bench``).

Each module of this package with a ``main()`` runs in its own interpreter, one after the
other, so one benchmark's imports, caches and garbage do not skew the next one's figures.
"""

from __future__ import annotations

import logging
import pkgutil
import subprocess
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


def benchmark_modules() -> list[str]:
    """Names of the benchmark modules (``bench.engine``, ...), sorted."""
    here = Path(__file__).parent
    return [
        f"bench.{info.name}"
        for info in pkgutil.iter_modules([str(here)])
        if not info.name.startswith("_")
    ]


def main() -> int:
    """Run all benchmarks; returns the number of benchmarks that failed."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    failed = 0
    for module in benchmark_modules():
        logger.info("== %s", module)
        done = subprocess.run([sys.executable, "-m", module], check=False)
        if done.returncode != 0:
            logger.error("%s failed with exit status %d", module, done.returncode)
            failed += 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
