"""The theorem registry, its checks, the report and the ``clverify`` CLI."""
