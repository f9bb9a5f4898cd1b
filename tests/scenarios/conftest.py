from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def tiny_base() -> str:
    return str(HERE / "scen" / "tiny_base.toml")


@pytest.fixture(scope="session")
def tiny_qe() -> str:
    return str(HERE / "scen" / "tiny_qe.toml")
