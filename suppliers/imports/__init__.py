"""Bulk import of suppliers and spend from CSV and XLSX (one service behind every entry)."""
