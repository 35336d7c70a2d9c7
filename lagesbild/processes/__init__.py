"""Long-lived and child processes: local/temporary Prefect server, warm worker, reaping, pipes."""
