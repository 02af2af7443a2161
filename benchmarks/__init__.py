"""hoquiz benchmarks: run them all with `python -m benchmarks.run`."""
