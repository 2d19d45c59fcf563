"""Source readers, one module per source format, chosen by looking at the file's content.

A reader module defines:

- ``FORMATS``: the format names it reads (for ``--format``);
- ``sniff(path, head) -> str | None``: the format of a file, from its name and its first
  bytes, or None if the file is not of its kind;
- ``read(path, ctx, fmt) -> ReadResult``: the file's rows for the warehouse
  (see :mod:`pipelines.loading`). It raises ``FileRejected`` for a file-level problem
  and ``PersonnummerFound`` when any text cell holds a personal identity number.
"""

from __future__ import annotations

import html
import importlib
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from pipelines.loading import FileRejected

MODULES = ("canonical", "polisen", "atgardsplan", "scb", "kolada", "bra")
HEAD_BYTES = 65536  # the start of the file every sniff is shown
LONG_HEAD_BYTES = 4 * 1024 * 1024  # how far a sniff may read when its keys can lie further in


def _each_module() -> Iterator[ModuleType]:
    """The reader modules in MODULES order, each imported only when it is reached.

    Sniffing stops at the first module that recognises the file, so loading our own
    incident CSV never imports the spreadsheet and API readers (openpyxl and friends cost
    a third of a second, a sixth of an incremental month's load).
    """
    for name in MODULES:
        try:
            yield importlib.import_module(f"pipelines.readers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"pipelines.readers.{name}":
                raise


def modules() -> list[ModuleType]:
    return list(_each_module())


def formats() -> dict[str, ModuleType]:
    return {fmt: mod for mod in modules() for fmt in mod.FORMATS}


WEB_PAGE_NOTE = ("Filen är en webbsida som webbläsaren sparade (Spara som … Webbsida); "
                 "svaret från webbtjänsten i den lästes.")
UTF16_NOTE = "Filen är sparad som UTF-16 (Excels Unicode-text) och lästes som sådan."
MAX_UTF16_TEXT = 512 * 2**20  # transcoded whole: a statistics table or a year's incidents


@dataclass
class Chosen:
    module: ModuleType
    fmt: str
    # The content to read in the file's place, under the file's name: the JSON answer a
    # web page saved from the browser holds (json_in_web_page), or a UTF-16 text as UTF-8
    # (utf16_as_utf8); ``note`` is the report's first line saying so.
    unwrapped: bytes | None = None
    note: str = WEB_PAGE_NOTE

    def read(self, path, ctx):
        path = Path(path)
        if self.unwrapped is None:
            return self.module.read(path, ctx, self.fmt)
        # In the load's scratch folder (removed after the load, as a reader's frames may
        # still read the file), under the file's own name for the reader's messages.
        folder = Path(ctx.scratch_dir or tempfile.mkdtemp(prefix="lagesbild-")) / "omkodad"
        folder.mkdir(parents=True, exist_ok=True)
        inner = folder / path.name
        inner.write_bytes(self.unwrapped)
        result = self.module.read(inner, ctx, self.fmt)
        result.report.insert(0, self.note)
        return result


def choose(path: Path, fmt: str | None = None) -> Chosen:
    """The reader for ``path``: the one named by ``fmt``, else the first whose sniff says yes."""
    path = Path(path)
    if fmt:
        known = formats()
        if fmt not in known:
            raise FileRejected(path.name, f"okänt format '{fmt}'. Kända format: {', '.join(sorted(known))}.")
        with open(path, "rb") as fh:
            head = fh.read(HEAD_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) and fmt != "polisen-json":  # which reads UTF-16 itself
            text = utf16_as_utf8(path)
            if text is not None:
                return Chosen(known[fmt], fmt, text, UTF16_NOTE)
        return Chosen(known[fmt], fmt, json_in_web_page(path, head))
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.removeprefix(b"\xef\xbb\xbf").strip():
        raise FileRejected(path.name, "filen är tom. Kontrollera att rätt fil valdes och att den sparades färdigt.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
        if text.lstrip("\ufeff \r\n\t").startswith(("[", "{")):
            # Windows PowerShell 5 writes "> fil.json" as UTF-16. The police feed's reader
            # reads it as it is; other JSON gets advice.
            polisen = importlib.import_module("pipelines.readers.polisen")
            if polisen.sniff(path, text.lstrip("\ufeff").encode("utf-8")):
                return Chosen(polisen, "polisen-json")
            raise FileRejected(path.name, "JSON-filen är sparad som UTF-16 (t.ex. av PowerShell). Hämta den med "
                                          "python -m pipelines fetch, eller spara om den som UTF-8 "
                                          "(Out-File -Encoding utf8), och läs in den igen.")
        # Excel's "Unicode-text (*.txt)": tab-separated UTF-16, the one text format in which
        # every Excel keeps å, ä and ö. Read as the same text in UTF-8.
        utf8 = utf16_as_utf8(path)
        if utf8 is not None:
            for mod in _each_module():
                found = mod.sniff(path, utf8[:HEAD_BYTES])
                if found:
                    return Chosen(mod, found, utf8, UTF16_NOTE)
            raise FileRejected(path.name, "formatet känns inte igen (filen är sparad som UTF-16, Excels "
                                          "Unicode-text, och lästes som sådan). Kontrollera att rätt fil valdes. "
                                          "Läsbara format: " + ", ".join(sorted(formats())) + ". Se README, avsnittet Datakällor.")
        raise FileRejected(path.name, "filen är sparad som UTF-16 (Unicode-text) men går inte att läsa som "
                                      "text. Spara den som CSV UTF-8 (kommaavgränsad) i Excel och läs in den igen.")
    unwrapped = json_in_web_page(path, head)
    if unwrapped is not None:
        # Sniffed on the answer's own start; a sniff reading further (longer_head) reads
        # the page, which holds the same keys.
        head = unwrapped[:HEAD_BYTES]
    for mod in _each_module():
        found = mod.sniff(path, head)
        if found:
            return Chosen(mod, found, unwrapped)
    raise FileRejected(path.name, "formatet känns inte igen" + _hint(path, head) + ". Kontrollera att rätt fil valdes. "
                       "Läsbara format: "
                       + ", ".join(sorted(formats())) + ". Se README, avsnittet Datakällor.")


# Chrome and Edge show a JSON answer as text in a <pre>, and "Spara som … Webbsida, endast
# HTML" saves that page: <html><head>…</head><body><pre>{…}</pre>…</body></html>, with
# &, < and > written as entities.
_PAGE_START = re.compile(rb"^\s*(?:<!doctype html[^>]*>\s*)?<html\b", re.IGNORECASE)
_PRE_JSON = re.compile(rb"<pre\b[^>]*>\s*[\[{]", re.IGNORECASE)
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.IGNORECASE | re.DOTALL)
MAX_WEB_PAGE = 512 * 2**20  # read whole: an API answer saved so is a few MB at most


def json_in_web_page(path: Path, head: bytes) -> bytes | None:
    """The JSON answer (UTF-8) in a page a browser saved from an API's address, or None when
    the file is no such page: an HTML error page, whose <pre> (if any) holds no valid JSON,
    stays a web page and is refused as one. Raises PersonnummerFound when the page around
    the answer holds a personnummer (the answer itself is screened by its reader)."""
    if not _PAGE_START.match(head.removeprefix(b"\xef\xbb\xbf")) or not _PRE_JSON.search(head):
        return None
    if path.stat().st_size > MAX_WEB_PAGE:
        return None
    from pipelines.personnummer import PersonnummerFound, contains_personnummer
    from pipelines.readers.text import decode

    page = decode(path.read_bytes(), path.name).lstrip("\ufeff")
    found = _PRE.search(page)
    if found is None:
        return None
    answer = html.unescape(found[1]).strip()
    try:
        json.loads(answer)
    except ValueError:
        return None
    around = re.sub(r"<[^>]*>", " ", page[:found.start()] + " " + page[found.end():])
    if contains_personnummer(html.unescape(around)):
        raise PersonnummerFound(path.name, "webbsidan runt svaret")
    return answer.encode("utf-8")


def utf16_as_utf8(path: Path) -> bytes | None:
    """A UTF-16 text file (with its byte order mark) as UTF-8, or None when it is too big
    or no valid UTF-16 (a binary file that happens to start so)."""
    if path.stat().st_size > MAX_UTF16_TEXT:
        return None
    try:
        text = path.read_bytes().decode("utf-16")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return text.lstrip("\ufeff").encode("utf-8")


def longer_head(path: Path, head: bytes) -> bytes:
    """The start of the file up to :data:`LONG_HEAD_BYTES` when ``head`` may have been cut
    (it filled the sniffing window), else ``head`` itself: for a sniff whose keys can come
    after a long first part (a police event's summary, Kolada's KPI descriptions)."""
    if len(head) < HEAD_BYTES:
        return head
    try:
        with open(path, "rb") as fh:
            return fh.read(LONG_HEAD_BYTES)
    except OSError:
        return head


def _hint(path: Path, head: bytes) -> str:
    """What an unrecognised file seems to be, so the user knows what to change."""
    if head.startswith(b"PAR1"):
        names = _parquet_columns(path)
        if names is None:
            return " (Parquet-filen är skadad eller ofullständig; exportera den på nytt)"
        return " (Parquet-filen har inte kolumnerna för något av våra format" + _columns_hint(names) + ")"
    if head.startswith(b"\x1f\x8b"):
        return (" (filen är komprimerad med gzip; packa upp den, t.ex. med 7-Zip eller gunzip, "
                "och läs in filen som finns i den)")
    kolada = importlib.import_module("pipelines.readers.kolada")
    if kolada.is_web_export(path, head):
        return kolada.WEB_EXPORT_HINT
    if head.startswith(b"PK\x03\x04"):
        packed = _zip_members(path)
        if packed:
            shown = ", ".join(_shown(n) for n in packed[:3]) + (f" och {len(packed) - 3} till" if len(packed) > 3 else "")
            return (f" (filen är ett ZIP-arkiv med {len(packed)} {'fil' if len(packed) == 1 else 'filer'}: "
                    f"{shown}; packa upp det och läs in filerna, eller mappen de ligger i)")
        return (" (arbetsboken har ingen flik med rubrikerna för en åtgärdsplan, "
                "befolkningstabell från SCB eller brottstabell från Brå)")
    said = api_error(head)
    if said is not None:
        return (" (filen är ett felmeddelande från webbtjänsten, inte data" + (f": '{said}'" if said else "")
                + "; kontrollera adressen eller urvalet och hämta svaret igen)")
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()[:1024].lower()
    if text.startswith((b"<!doctype html", b"<html")) or (text.startswith(b"<") and b"<html" in text):
        return (" (filen är en webbsida (HTML), troligen en felsida som sparades i stället för svaret; "
                "hämta eller exportera filen igen)")
    first = head.decode("utf-8", errors="replace").split("\n", 1)[0]
    if first.count("|") >= 2 and not any(d in first for d in ";,\t"):
        return " (kolumnerna verkar avgränsas med '|'; spara filen med semikolon eller komma som avgränsare)"
    underscores = _underscore_hint(re.split(r"[;,\t]", first.lstrip("\ufeff")))
    return f" ({underscores})" if underscores else ""


def _parquet_columns(path: Path) -> list[str] | None:
    """The column names of a readable Parquet file, else None (damaged or cut off)."""
    import duckdb

    try:
        return [str(r[0]) for r in duckdb.sql(
            f"DESCRIBE SELECT * FROM read_parquet('{str(path).replace(chr(39), chr(39) * 2)}')").fetchall()]
    except duckdb.Error:
        return None


def _columns_hint(names: list[str]) -> str:
    """What a table's column names are, and how they differ from ours when they do only
    by spaces for underscores."""
    shown = ", ".join(f"'{_shown(n)}'" for n in names[:5]) + (" …" if len(names) > 5 else "")
    return f": {shown}; " + (_underscore_hint(names) or "se docs/formats.md för kolumnnamnen")


def _underscore_hint(names: list[str]) -> str:
    """Advice when a header holds our column names with spaces or hyphens for the
    underscores ('incident id', 'area-code', as a table renamed for people to read has
    them), else ''."""
    canonical = importlib.import_module("pipelines.readers.canonical")
    written = [re.sub(r"[\s-]+", "_", n.strip().strip('"').strip().lower()) for n in names]
    kind = canonical._kind_of_columns(written)
    if kind is None or kind == canonical._kind_of_columns(names):
        return ""
    wanted = ", ".join(canonical.COLUMNS[kind]["required"])
    return f"kolumnnamnen skrivs med understreck, inte mellanslag: {wanted}"


def _shown(name: str) -> str:
    """A name from inside a file (a column, a packed file) as a message may show it: at
    most 40 characters, with any personnummer masked as ÅÅMMDD-XXXX."""
    from pipelines.personnummer import mask

    name = mask(" ".join(str(name).split()))
    return name[:40] + ("…" if len(name) > 40 else "")


def _zip_members(path: Path) -> list[str] | None:
    """The files in a ZIP archive that is no workbook (no xlsx or ods parts), else None."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" in names or "mimetype" in names or "content.xml" in names:
        return None
    files = [n.rsplit("/", 1)[-1] for n in names if not n.endswith("/") and not n.startswith("__MACOSX/")]
    return files or None


# What an API's error answer holds instead of data: RFC 9457 problem details (SCB's
# PxWebApi 2: title, status, detail), FastAPI's {"detail": …} (Kolada v3) and the like.
_ERROR_KEYS = {"title", "status", "detail", "message", "error", "errors", "type", "instance", "traceId", "code"}


def api_error(head: bytes) -> str | None:
    """What a small JSON object of error fields says ('' when it says nothing short), or
    None when the file is no such answer: saved with curl -o from a wrong address or a
    refused request, it stands where the data was expected."""
    import json

    try:
        doc = json.loads(head.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict) or not doc or not set(doc) <= _ERROR_KEYS or not set(doc) & {"title", "detail", "message", "error"}:
        return None
    said = error_text(doc, ("detail", "title", "message", "error"))
    return "" if said is None else said


def error_text(doc: dict, keys: tuple[str, ...]) -> str | None:
    """What an error answer says under the first of ``keys`` that holds a short text
    without a personnummer ({"message": …}, a ProblemDetails "title" with the field's own
    complaint from "errors", FastAPI's [{"msg": …}]), on one line; None when none does."""
    from pipelines.personnummer import contains_personnummer

    for key in keys:
        text = doc.get(key)
        if isinstance(text, list) and text and isinstance(text[0], dict):
            text = text[0].get("msg")  # FastAPI's validation errors: [{"loc": […], "msg": "…"}]
        if isinstance(text, str) and text.strip() and len(text) <= 200 and not contains_personnummer(text):
            # A ProblemDetails title is generic ("One or more validation errors occurred."):
            # the field's own complaint stands in "errors".
            errors = doc.get("errors") if isinstance(doc.get("errors"), dict) else {}
            detail = next((m[0] for m in errors.values() if isinstance(m, list) and m and isinstance(m[0], str)), "")
            if detail and len(detail) <= 200 and not contains_personnummer(detail):
                text = f"{text.strip()} {detail}"
            return " ".join(text.split())
    return None
