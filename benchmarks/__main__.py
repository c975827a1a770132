"""``python -m benchmarks``: run the benchmark suite (see benchmarks/__init__.py)."""
import sys

from benchmarks._runner import main

sys.exit(main())
