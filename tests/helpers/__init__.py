"""Test helpers shared by tests/core, tests/ui and the benchmarks: generated media with known
cuts, holds, fades and delays, tiny taggers, exports and fault tools."""
