"""Reading one input file: regular files only, up to a size limit, as UTF-8 text."""

from __future__ import annotations

import codecs
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePath

from ..echo import shown
from ..errors import EksplanError

__all__ = ["InputError", "Limits", "LIMITS", "read_bytes", "read_text", "referenced_file"]

MiB = 2**20


class InputError(EksplanError):
    """A file that cannot be read as the input eksplan expects; names the file and, where it can, the place."""

    def __init__(self, label: str, message: str):
        self.label = label
        self.message = message
        super().__init__(f"{label}: {message}")


@dataclass(frozen=True)
class Limits:
    """How much eksplan reads from one file: the work any input can cause is bounded by these."""

    max_bytes: int
    #: YAML only: values in the document once every alias is expanded (keys count too).
    max_values: int = 100_000
    max_depth: int = 64
    #: YAML only: items of one list, or keys of one mapping.
    max_items: int = 1_000

    def describe(self) -> str:
        return f"{_size(self.max_bytes)}, {self.max_values:,} values, {self.max_depth} levels, {self.max_items:,} items"


#: Per kind of input. A spec or DaemonSet file of 2 MiB and 100,000 values is a fleet of some 500
#: clusters; describe-subnets captures and instance-type snapshots are JSON (parsed in C, linear);
#: EC2 captures (``instance-types refresh --from-file``) hold every instance type of a region.
LIMITS = {
    "yaml": Limits(max_bytes=2 * MiB),
    "json": Limits(max_bytes=8 * MiB),
    "ec2-capture": Limits(max_bytes=64 * MiB),
}

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def _size(count: int) -> str:
    return f"{count / MiB:g} MiB" if count >= MiB else f"{count:,} bytes"


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _not_regular(label: str, mode: int) -> InputError:
    kind = _kind(mode)
    if kind == "a folder":
        return InputError(label, "is a folder, not a file")
    return InputError(label, f"is not a regular file ({kind})")


def _too_large(label: str, size: int | None, limit: int) -> InputError:
    what = f"is {size:,} bytes" if size is not None else "is larger"
    return InputError(label, f"{what}; eksplan reads at most {_size(limit)} from one file")


def _unreadable(label: str, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(label, "no such file")
    if isinstance(exc, NotADirectoryError):
        return InputError(label, "no such file (a part of the path is a file, not a folder)")
    if isinstance(exc, PermissionError):
        return InputError(label, "cannot be read (permission denied)")
    return InputError(label, f"cannot be read ({exc.strerror or type(exc).__name__})")


def read_bytes(path: str | Path, label: str, limit: int) -> bytes:
    """The content of a regular file of at most ``limit`` bytes.

    The file is checked before it is opened (a device is never opened: opening some has side
    effects), opened without following a swap to another file, and read to ``limit + 1`` bytes at
    most, so that a file that grows while it is read cannot make eksplan read more.
    """
    try:
        before = os.stat(path)
    except OSError as exc:
        raise _unreadable(label, exc) from None
    except ValueError:  # an embedded NUL byte
        raise InputError(label, "is not a valid file name") from None
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(label, before.st_mode)
    if before.st_size > limit:
        raise _too_large(label, before.st_size, limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise _unreadable(label, exc) from None
    with os.fdopen(fd, "rb") as stream:
        after = os.fstat(fd)
        if not stat.S_ISREG(after.st_mode) or (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
            raise InputError(label, "changed while it was opened")
        try:
            data = stream.read(limit + 1)
        except OSError as exc:
            raise _unreadable(label, exc) from None
    if len(data) > limit:
        raise _too_large(label, None, limit)
    return data


def decode(data: bytes, label: str) -> str:
    """UTF-8 text (a leading byte-order mark is dropped); UTF-16 and UTF-32 are named as such."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise InputError(label, f"is {name} text (as Windows PowerShell's '>' writes it); save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(label, f"is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start:,})") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_text(path: str | Path, label: str, limit: int) -> str:
    """A regular file of at most ``limit`` bytes, as UTF-8 text."""
    return decode(read_bytes(path, label, limit), label)


def referenced_file(spec_file: str | Path, reference: str) -> Path:
    """The file a spec refers to, which must lie inside the spec's own folder.

    ``reference`` is relative to the spec file. Absolute paths, ``..`` that climbs out of the
    folder and symbolic links that lead out of it are refused: a spec handed over by another team
    cannot make eksplan read (and echo parts of) a file elsewhere on this machine. Files named
    on the command line are not restricted: the user chose them.
    """
    label = str(spec_file)
    if "\0" in reference:
        raise InputError(label, f"{shown(reference)} is not a valid file name")
    if PurePath(reference).is_absolute():
        raise InputError(label, f"{shown(reference)} is an absolute path; name a file in the spec's folder, "
                                "relative to the spec")
    folder = Path(spec_file).parent.resolve()
    target = (folder / reference).resolve()
    if not target.is_relative_to(folder):
        raise InputError(label, f"{shown(reference)} leads outside the spec's folder; name a file in the "
                                "spec's folder, relative to the spec")
    return target
