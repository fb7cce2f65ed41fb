"""Numbers: high precision, certification, torch optimisation, tables and figures."""
