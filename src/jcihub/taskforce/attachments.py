"""What a case attachment may be: a document or a picture, never a program, and not too big.

A file is accepted when its name ends in one of the allowed extensions AND its first bytes
are what that kind of file starts with (its "magic number"); a program (Windows, Linux or
macOS executable, a script with a #! line) is refused whatever its name says. The checks
read the upload, never trust the browser's content type, and answer in words a user can
act on.
"""

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

SNIFF_BYTES = 2048

# extension -> (content type served, the prefixes its content may start with; () = text)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
}

# The first bytes of programs: refused even under an allowed name.
EXECUTABLE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xfe\xed\xfa\xce", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
)
EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe",
        "dll",
        "com",
        "scr",
        "msi",
        "msp",
        "bat",
        "cmd",
        "ps1",
        "psm1",
        "vbs",
        "vbe",
        "js",
        "jse",
        "wsf",
        "wsh",
        "hta",
        "cpl",
        "jar",
        "sh",
        "bash",
        "app",
        "apk",
        "bin",
        "elf",
        "run",
        "py",
        "pl",
        "rb",
        "php",
        "lnk",
        "reg",
    }
)


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _extension(name: str) -> str:
    suffix = PurePath(name).suffix
    return suffix[1:].lower() if suffix else ""


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3  # a character cut at the sniff boundary
    return True


def _refuse(message: str) -> ValidationError:
    return ValidationError({"attachment": message})


def check_upload(upload: UploadedFile) -> CheckedFile:
    """The upload's facts if it may be stored; a ValidationError saying why not otherwise."""
    name = PurePath((upload.name or "").replace("\\", "/")).name[:200]
    limit = settings.TASKFORCE_ATTACHMENT_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise _refuse(f"{name or 'The file'} is empty.")
    if size > limit:
        raise _refuse(
            f"{name} is {_size_text(size)}; attachments may be at most {_size_text(limit)}."
        )
    extension = _extension(name)
    suffixes = {part.lower() for part in name.split(".")[1:]}
    if suffixes & EXECUTABLE_EXTENSIONS:
        raise _refuse(f"{name} is a program or script; those cannot be attached.")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    for magic, what in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise _refuse(f"{name} is {what}, whatever its name says; programs cannot be attached.")
    if extension not in ALLOWED:
        kinds = ", ".join(sorted(ALLOWED))
        raise _refuse(f"{name}: only these kinds of file can be attached: {kinds}.")
    content_type, prefixes = ALLOWED[extension]
    matches = _looks_like_text(head) if not prefixes else head.startswith(prefixes)
    if not matches:
        raise _refuse(
            f"{name} does not contain what a .{extension} file holds; attach the file itself."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored = f"{secrets.token_hex(16)}.{extension}"
    return CheckedFile(name, stored, content_type, size, digest.hexdigest())
