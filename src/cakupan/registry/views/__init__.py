"""Pages of the registry: employers, persons, employment and memberships (one module per topic)."""
