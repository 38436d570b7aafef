import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Issued letters are stored as files: each test keeps its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
