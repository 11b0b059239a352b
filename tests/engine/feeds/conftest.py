import pytest

from ._shared import dataset


@pytest.fixture(scope="session")
def data(tmp_path_factory):
    return dataset(tmp_path_factory)
