"""The knowledge base: documents, paragraph chunks, embeddings, index and search."""
