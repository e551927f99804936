"""Importing patent files into the corpus: readers (CSV/XLSX/JSONL, streamed), presets and
column mapping, record normalisation, and the services the command, pages and jobs call."""
