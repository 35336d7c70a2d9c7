"""The areas configuration: the areas and their queries (``model``), reading the YAML (``load``)."""
