"""JCI Hub: the system of record for the Department of Justice and Community Intervention."""
