"""gRPC servicers and Kafka consumers: translate, call a handler, translate back."""
