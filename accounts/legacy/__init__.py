"""The import of the Fastify service's data (`manage.py import_legacy`, docs/legacy-import.md).

`source` reads the old database over a connection that cannot write, `mapping` says how each old
table's columns become this project's fields, `importer` runs the import in one transaction.
"""
