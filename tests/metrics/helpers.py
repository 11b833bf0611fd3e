"""Reading the process's series in tests: values before and after, as Prometheus would see
them (the default registry, where every series of config/metrics/series.py lives)."""

from prometheus_client import REGISTRY


def value(name: str, **labels) -> float:
    """A sample's value now; 0 when it has never been recorded."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """`with Delta("agente_x_total", a="b") as d: ...; d.value` is how much it grew."""

    def __init__(self, name: str, **labels):
        self.name, self.labels = name, labels

    def __enter__(self) -> "Delta":
        self.before = value(self.name, **self.labels)
        return self

    def __exit__(self, *exc) -> None:
        self.after = value(self.name, **self.labels)

    @property
    def value(self) -> float:
        return self.after - self.before
