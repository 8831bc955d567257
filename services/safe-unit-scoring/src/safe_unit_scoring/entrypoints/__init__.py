"""The gRPC servicer and the Kafka consumer."""
