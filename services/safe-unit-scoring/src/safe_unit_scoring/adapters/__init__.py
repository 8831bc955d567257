"""PostgreSQL, Kafka and the packaged indicator model."""
