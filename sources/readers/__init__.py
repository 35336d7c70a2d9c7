"""The source adapters: one reader per kind of input file, with their shared parsing
helpers and configuration."""
