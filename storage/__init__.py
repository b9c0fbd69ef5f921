"""Storage: SQLAlchemy models, the database, migrations and the services that change data.

Services take a Session and never commit: the caller (a request, a command or a job) opens
one transaction with `Database.transaction()` and commits once.
"""
