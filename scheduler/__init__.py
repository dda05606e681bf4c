"""The clock: APScheduler 3.11 runs named jobs; per-person times are computed with zoneinfo (`timing`)."""
