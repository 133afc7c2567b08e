"""Shared pytest configuration: the derandomized hypothesis ``ci`` profile (default) and the
optional-oracle policy.

Optional oracles (PyTorch, scikit-learn, statsmodels) and the notebook tools (jupytext, nbclient, ipykernel) are imported with :func:`require_oracle`: a
skip when one is missing on a developer's machine, a **failure** when ``REFGROW_REQUIRE_ORACLES=1``
(set by ``.ci/run``, where they are installed, so a skip would mean a cross-check silently stopped
running). The same rule covers any ``pytest.importorskip`` of those packages (see
``pytest_runtest_makereport``).
"""
import importlib
import os
import re

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=30, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", deadline=None, max_examples=200)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: top-level packages of the optional cross-check oracles
ORACLES = ("torch", "sklearn", "statsmodels", "gromo", "jupytext", "nbclient", "ipykernel")  # cross-checks + notebook route
_ORACLE_SKIP = re.compile(r"could not import '(%s)[.']" % "|".join(ORACLES))


def oracles_required() -> bool:
    """True when ``REFGROW_REQUIRE_ORACLES=1``: a missing oracle fails instead of skipping."""
    return os.environ.get("REFGROW_REQUIRE_ORACLES", "") == "1"


def require_oracle(name: str):
    """Import the optional oracle module ``name`` (e.g. ``"torch"``, ``"sklearn.cluster"``).

    Skips the calling test when it is missing, unless :func:`oracles_required`, then fails it.
    """
    if name.split(".")[0] not in ORACLES:
        raise ValueError(f"name must be a module of one of the oracles {ORACLES}, got {name!r}")
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        if oracles_required():
            pytest.fail(f"oracle {name!r} is required (REFGROW_REQUIRE_ORACLES=1) but not importable: {exc}",
                        pytrace=False)
        pytest.skip(f"could not import {name!r}: {exc}", allow_module_level=True)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With ``REFGROW_REQUIRE_ORACLES=1``, an importorskip of an oracle package is a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and oracles_required():
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if _ORACLE_SKIP.search(reason):
            report.outcome = "failed"
            report.longrepr = f"oracle skipped although REFGROW_REQUIRE_ORACLES=1: {reason}"
