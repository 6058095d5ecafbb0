"""Questionnaires as data: YAML import and export, validation, publishing."""
