"""The report kernel: ipykernel without its debugger (``python -m eksplan.report.kernel -f FILE``).

Reports are run, never debugged, and importing debugpy is about 0.15 s of each kernel's start
(of some 0.35 s before the kernel answers). jsonschema's costly IRI checker is skipped too
(see :func:`eksplan.report.engines.skip_iri_format_checker`).
"""

import sys


def main() -> None:
    sys.modules["debugpy"] = None  # ipykernel then finds no debugger and starts without one
    sys.modules.setdefault("rfc3987_syntax", None)
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
