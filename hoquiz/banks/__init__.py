"""Banks on disk: YAML reading, loading and validation, the JSON Schema, scaffolding, the cache."""
