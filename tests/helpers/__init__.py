"""Helpers shared by the durability tests: fresh PostgreSQL databases, writer processes."""
