"""Benchmark fixtures: real network outputs from ../shared (skip cleanly when absent)."""

from __future__ import annotations

import pytest

import bench_cases


@pytest.fixture(scope="session")
def real_cases():
    pytest.importorskip("cv2")
    if not bench_cases.shared_available():
        pytest.skip("../shared (models, media) is not available: the real-output benchmarks skip")
    return {name: (out, size) for name, out, size in bench_cases.real_cases()}
