"""Cited answers from the knowledge base."""
