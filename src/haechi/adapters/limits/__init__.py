"""Rate counters for the public endpoints' abuse controls."""

from haechi.adapters.limits.memory import InMemoryRateCounter

__all__ = ["InMemoryRateCounter"]
