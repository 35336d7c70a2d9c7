"""The yearly run: its parameters, its stages as plain functions, and their Prefect tasks."""
