import pytest

from tests.escalation.conftest import lscb, oscb, sab, ssab  # noqa: F401  (the worlds)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test keeps its PDFs in its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
