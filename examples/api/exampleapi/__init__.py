"""A small Django REST framework API used by libcoreapi's integration tests."""
