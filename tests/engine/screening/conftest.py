import pytest

from tests.engine.feeds._shared import dataset


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return dataset(tmp_path_factory)
