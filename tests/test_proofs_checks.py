"""The proofs_checks modules follow the framework, and a slice of every sweep passes (full sweeps: make proofs)."""

import pytest

from proofs_checks import check_modules


def test_every_check_module_is_well_formed() -> None:
    mods = check_modules()
    assert len(mods) >= 2
    for m in mods:
        assert isinstance(m.THEOREM, str) and m.THEOREM.strip()
        assert len(m.cases()) >= 1 and callable(m.check)


@pytest.mark.parametrize("name", [m.__name__ for m in check_modules()])
def test_first_cases_pass(name: str) -> None:
    mod = next(m for m in check_modules() if m.__name__ == name)
    for case in mod.cases()[:2]:
        mod.check(case)  # raises AssertionError when the theorem fails on this case


@pytest.mark.slow
@pytest.mark.parametrize("name", [m.__name__ for m in check_modules()])
def test_full_sweep(name: str) -> None:
    mod = next(m for m in check_modules() if m.__name__ == name)
    for case in mod.cases():
        mod.check(case)


def test_runner_on_dask_local_cluster() -> None:
    from proofs_checks.__main__ import main

    assert main(["--only", "normal_form", "--workers", "1"]) == 0
