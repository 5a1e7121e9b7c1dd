"""The service chassis: the one way each service does settings, persistence, messaging and telemetry."""
