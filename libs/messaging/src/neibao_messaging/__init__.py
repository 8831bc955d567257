"""CloudEvents over Kafka with protobuf payloads, a transactional outbox and relay, an idempotent consumer with a dead-letter topic."""
