from tests.escalation.conftest import oscb  # noqa: F401  (fixtures)
