"""The ``eksplan`` command line: thin wrappers over the library."""
