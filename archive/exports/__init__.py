"""Machine-readable records of studies for other systems: DataCite metadata, citations."""
