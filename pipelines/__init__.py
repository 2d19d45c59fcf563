"""Lägesbild pipelines: reference geography, ingestion and marts for the warehouse."""
