"""The unit registry's domain: pure Python (no grpc, sqlalchemy or kafka), tested without servers."""
