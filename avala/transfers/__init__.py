"""Moving file bytes between local files and object storage, as request values."""
