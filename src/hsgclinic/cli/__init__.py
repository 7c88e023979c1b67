"""The ``hsgclinic`` command line (Typer + Rich)."""
