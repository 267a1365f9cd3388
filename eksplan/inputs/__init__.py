"""The input contract: how eksplan reads every file it is handed, with bounded work.

Spec and fleet files, ``describe_subnets`` captures, ``--catalog`` snapshots, EC2 captures and
``audit --daemonset`` files all enter through here:

* regular files only (no devices, pipes or sockets), read up to a size limit;
* UTF-8 text (a byte-order mark is allowed; UTF-16 is named as such);
* YAML: a safe loader, alias expansion and nesting capped, integers within 64 bits, no
  implicit dates (``2024-01-05`` is text), merge keys as YAML defines them, duplicate keys refused;
* JSON: nesting capped, integers within 64 bits, no ``NaN``/``Infinity``, duplicate keys refused;
* a file a spec refers to is read from inside the spec's own folder (files named on the
  command line are read where they are).

Every problem is an :class:`InputError` naming the file and, where it can, the line and column.
docs/spec.md states the contract for users.
"""

from .files import InputError, Limits, read_bytes, read_text, referenced_file, LIMITS
from .jsondoc import load_json
from .yamldoc import load_yaml, load_yaml_all

__all__ = ["InputError", "Limits", "LIMITS", "read_bytes", "read_text", "referenced_file", "load_json",
           "load_yaml", "load_yaml_all"]
