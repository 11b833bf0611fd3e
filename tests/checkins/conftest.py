from tests.goals.conftest import listen  # noqa: F401  (the same live-update listener)
