"""The draft store: version records, publishing a run, its lock, recovery, files."""
