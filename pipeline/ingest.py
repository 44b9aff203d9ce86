"""Stage 1, ingest: find article files, decode them, extract text and metadata, merge duplicates.

Input: a corpus folder (read-only). Output: `Article` records (no language yet), `Problem`s.
"""

from __future__ import annotations

import codecs
import dataclasses
import errno
import hashlib
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from pathlib import Path

import charset_normalizer
import lxml.html
import numpy as np
import trafilatura
from datasketch import MinHash, MinHashLSH
from htmldate.extractors import YMD_PATTERN, regex_parse
from lxml.etree import ParserError
from trafilatura.settings import Document

from pipeline.config import Config
from pipeline.errors import DocumentError, InputError
from pipeline.records import Article, Problem

log = logging.getLogger(__name__)

STAGE = "ingest"
HTML_SUFFIXES = {".html", ".htm"}
TEXT_SUFFIXES = {".txt", ".md"}
SUPPORTED_SUFFIXES = HTML_SUFFIXES | TEXT_SUFFIXES

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
BINARY_SIGNATURES = {
    b"%PDF": "PDF",
    b"\x89PNG": "PNG",
    b"PK\x03\x04": "ZIP",
    b"GIF8": "GIF",
    b"\xff\xd8\xff": "JPEG",
    b"\x1f\x8b": "gzip",
    b"\x7fELF": "ELF",
}
CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# WHATWG: pages that declare Latin-1 or ASCII are decoded as Windows-1252.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
}

SINGLE_BYTE_LATIN = {
    "cp1250",
    "cp1252",
    "latin_1",
    "iso8859_15",
    "iso8859_2",
    "iso8859_9",
    "mac_roman",
    "mac_latin2",
    "cp1254",
    "cp1257",
    "iso8859_4",
    "iso8859_13",
}
#: Extracted page texts up to this many words are checked for being navigation links only.
NAVIGATION_MAX_WORDS = 60
#: Non-letters of Windows-1252 that Western European text uses.
WESTERN_PUNCTUATION = frozenset("€‚„…†‡‰‹›‘’“”•–—™«»°§©®±²³µ·¹º¼½¾¿¡¢£¥¦¨ª¬¯´¸\u00a0\u00ad")
#: A byte that is not UTF-8, as decoding with "surrogateescape" leaves it.
STRAY_BYTE = re.compile("[\udc80-\udcff]")
#: Datelines are read in this range (a wider one takes version numbers and prices for dates).
DATELINE_EARLIEST = datetime(1990, 1, 1)
DATELINE_LATEST = datetime(2099, 12, 31)
MD_MARKUP = (
    (re.compile(r"^\s{0,3}#{1,6}\s*", re.M), ""),
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),
)


#: Files the store already knows, by relative path: (size, mtime_ns, article_id, content_hash).
Known = Mapping[str, tuple[int, int, str | None, str]]
#: A folder holding this file is a pipeline output folder, never read as input.
OUTPUT_MARKER = "store.sqlite"
#: Reads of a file's bytes for its content hash.
HASH_BLOCK = 1 << 20


@dataclass
class SeenFile:
    """A file found in the corpus, with what ingest made of it (article id, or None)."""

    path: str
    size: int
    mtime_ns: int
    article_id: str | None
    read: bool  # False when the store already knew it unchanged
    content_hash: str = ""  # SHA-1 of the file's bytes, once read or verified


@dataclass
class IngestResult:
    articles: list[Article] = field(default_factory=list)  # articles read in this run
    problems: list[Problem] = field(default_factory=list)  # problems of files read in this run
    files: list[SeenFile] = field(default_factory=list)  # every regular file in the corpus
    files_seen: int = 0
    to_read: list[SeenFile] = field(default_factory=list)  # files scan() left to read_files()


@dataclass
class FileRead:
    """One file read: its article, the hash of its bytes and the problems of a file that was
    still read (such as a repaired encoding), as (reason, detail)."""

    article: Article
    content_hash: str
    notes: list[tuple[str, str]] = field(default_factory=list)


def run(config: Config, known: Known | None = None) -> IngestResult:
    """Ingest every file below `config.corpus` in this process: scan() then read_files()."""
    result = scan(config, known)
    read = read_files(config, result.to_read)
    result.files += read.files
    result.problems += read.problems
    result.articles = sorted(read.articles, key=lambda a: a.source_paths[0])
    result.to_read = []
    return result


def scan(config: Config, known: Known | None = None) -> IngestResult:
    """Find every file below `config.corpus`; files that cannot be read are problems.

    `known` maps a relative path to (size, mtime_ns, article_id, content_hash) of a file
    already processed: such a file is not read again while its size and modification time are
    unchanged (and, with `config.verify`, its content hash); the others are listed in
    `to_read`, for read_files() in batches. The output folder, and any other pipeline output
    folder below the corpus, is not scanned.
    """
    corpus = config.corpus
    if not corpus.is_dir():
        raise InputError(f"corpus folder {corpus} does not exist or is not a folder")
    known = known or {}
    result = IngestResult()
    for path, info, problem in walk(corpus, skip=config.output):
        rel = relative(path, corpus)
        if not selected(rel, config.include, config.exclude):
            continue
        result.files_seen += 1
        if problem is not None:
            result.problems.append(problem)
            continue
        assert info is not None
        previous = known.get(rel)
        if previous is not None and previous[:2] == (info.st_size, info.st_mtime_ns):
            size, mtime_ns, article_id, digest = previous
            if not config.verify or (digest and digest == file_hash(path)):
                result.files.append(SeenFile(rel, size, mtime_ns, article_id, False, digest))
                continue
        result.to_read.append(SeenFile(rel, info.st_size, info.st_mtime_ns, None, True))
    return result


def file_hash(path: Path) -> str:
    """SHA-1 of a file's bytes ('' when it cannot be read: it is read again, and recorded)."""
    digest = hashlib.sha1()
    try:
        with path.open("rb") as handle:
            while block := handle.read(HASH_BLOCK):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def read_files(config: Config, files: list[SeenFile]) -> IngestResult:
    """Read, decode and extract files found by scan(); one bad file never stops the others.
    Files with the same text become one article listing every path."""
    result = IngestResult()
    by_id: dict[str, Article] = {}
    for seen in files:
        try:
            read = read_file(config.corpus / seen.path, seen.path, config)
            article = read.article
            seen = dataclasses.replace(
                seen, article_id=article.article_id, content_hash=read.content_hash
            )
        except DocumentError as exc:
            result.problems.append(Problem(seen.path, STAGE, exc.reason, exc.detail))
        except Exception as exc:  # the per-document boundary: record and go on
            log.exception("unexpected failure on %s", seen.path)
            result.problems.append(Problem(seen.path, STAGE, "unexpected_error", repr(exc)))
        else:
            result.problems += [Problem(seen.path, STAGE, r, d) for r, d in read.notes]
            known_article = by_id.get(article.article_id)
            if known_article is None:
                by_id[article.article_id] = article
            else:
                known_article.source_paths = sorted({*known_article.source_paths, seen.path})
        result.files.append(seen)
    result.articles = list(by_id.values())
    return result


def selected(rel: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Whether a path below the corpus passes the --include and --exclude glob patterns; a
    pattern matches the whole relative path (`*` spans folders) or the file name."""
    name = rel.rsplit("/", 1)[-1]

    def matches(patterns: tuple[str, ...]) -> bool:
        return any(fnmatchcase(rel, p) or fnmatchcase(name, p) for p in patterns)

    return (not include or matches(include)) and not matches(exclude)


def relative(path: Path, corpus: Path) -> str:
    return path.relative_to(corpus).as_posix()


def printable_path(path: str) -> str:
    """A path as valid UTF-8 text: bytes of an undecodable name are shown as \\xNN."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def walk(
    corpus: Path, skip: Path | None = None
) -> Iterator[tuple[Path, os.stat_result | None, Problem | None]]:
    """Yield every file below `corpus` in sorted order, with a Problem for those not to be read.
    Folders that are `skip` or hold a pipeline output (OUTPUT_MARKER) are not entered."""
    try:
        os.scandir(corpus).close()
    except OSError as exc:
        raise InputError(f"cannot list corpus folder {corpus}: {exc.strerror or exc}") from exc
    yield from _walk(corpus, corpus, None if skip is None else skip.resolve())


def _walk(
    folder: Path, corpus: Path, skip: Path | None
) -> Iterator[tuple[Path, os.stat_result | None, Problem | None]]:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        path = Path(entry.path)
        rel = relative(path, corpus)
        try:
            entry.name.encode("utf-8")
        except UnicodeEncodeError:
            detail = "the name is not valid UTF-8 (bytes shown as \\xNN); rename it to read it"
            yield path, None, Problem(printable_path(rel), STAGE, "undecodable_name", detail)
            continue
        try:
            info = path.stat()  # follows symlinks
        except OSError as exc:
            if entry.is_symlink():
                reason = "symlink_loop" if exc.errno == errno.ELOOP else "broken_symlink"
            else:
                reason = "unreadable"
            yield path, None, Problem(rel, STAGE, reason, str(exc.strerror or exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            if entry.is_symlink():
                yield path, None, Problem(rel, STAGE, "symlinked_folder_not_followed", "")
                continue
            if path.resolve() == skip or (path / OUTPUT_MARKER).is_file():
                log.info("not reading %s: it is a pipeline output folder", path)
                continue
            try:
                yield from _walk(path, corpus, skip)
            except OSError as exc:
                yield path, None, Problem(rel, STAGE, "unreadable_folder", str(exc.strerror or exc))
            continue
        if not stat.S_ISREG(info.st_mode):
            yield path, None, Problem(rel, STAGE, "not_a_regular_file", "")
            continue
        suffix = path.suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            detail = f"suffix {suffix or '(none)'}; supported: {sorted(SUPPORTED_SUFFIXES)}"
            yield path, None, Problem(rel, STAGE, "unsupported_file_type", detail)
            continue
        yield path, info, None


def read_article(path: Path, rel: str, config: Config) -> Article:
    """Read, decode and extract one file. Raises DocumentError with a specific reason."""
    return read_file(path, rel, config).article


def read_file(path: Path, rel: str, config: Config) -> FileRead:
    """read_article(), with the hash of the file's bytes and the problems of a file that was
    still read (encoding_mismatch, mixed_encoding)."""
    data = read_stable(path, config.max_file_bytes)
    suffix = path.suffix.lower()
    notes: list[tuple[str, str]] = []
    text, encoding = decode(data, html=suffix in HTML_SUFFIXES, notes=notes)
    if "\x00" in text:
        raise DocumentError("nul_bytes", "the decoded text contains NUL characters")
    if suffix in HTML_SUFFIXES:
        article = extract_html(text, config)
        article.source_format = "html"
    else:
        article = extract_plain(text, markdown=suffix == ".md")
        article.source_format = suffix.lstrip(".")
    article.encoding = encoding
    article.source_paths = [rel]
    if not article.text.strip():
        raise DocumentError("no_text", "nothing but whitespace after extraction")
    if len(article.text) > config.max_text_chars:
        raise DocumentError(
            "text_too_long", f"{len(article.text)} characters > limit {config.max_text_chars}"
        )
    article.article_id = content_id(article.text)
    article.n_words = len(article.text.split())
    return FileRead(article, hashlib.sha1(data).hexdigest(), notes)


def read_stable(path: Path, max_bytes: int) -> bytes:
    """Read a file whole, refusing oversized, empty and changing files."""
    try:
        before = path.stat()
        if before.st_size > max_bytes:
            raise DocumentError("too_large", f"{before.st_size} bytes > limit {max_bytes}")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        after = path.stat()
    except PermissionError as exc:
        raise DocumentError("unreadable", str(exc.strerror or exc)) from exc
    except OSError as exc:
        raise DocumentError("unreadable", str(exc.strerror or exc)) from exc
    if len(data) > max_bytes:
        raise DocumentError("too_large", f"more than {max_bytes} bytes")
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(
        data
    ) != after.st_size:
        raise DocumentError("changed_while_reading", "size or modification time changed")
    if not data:
        raise DocumentError("empty_file", "0 bytes")
    return data


def decode(
    data: bytes, *, html: bool, notes: list[tuple[str, str]] | None = None
) -> tuple[str, str]:
    """Decode deliberately: BOM, then the HTML's declared charset when the bytes agree with it,
    then UTF-8 (with stray Windows-1252 bytes repaired), then a detector. A declared charset
    that the bytes contradict, and a file mixing UTF-8 and Windows-1252, are added to `notes`
    as (reason, detail): the text is still read."""
    notes = [] if notes is None else notes
    for bom, codec in BOMS:
        if data.startswith(bom):
            try:
                return normalize_text(data.decode(codec)), codec.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise DocumentError("undecodable", f"{codec} BOM but invalid bytes: {exc}") from exc
    for signature, kind in BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise DocumentError("binary_content", f"{kind} data in a text file")
    if b"\x00" in data[:4096] and data[:4096].count(b"\x00") > len(data[:4096]) // 4:
        raise DocumentError("binary_content", "mostly NUL bytes")
    declared = declared_charset(data) if html else None
    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    if declared and declared != "utf-8" and utf8 is not None and not data.isascii():
        # Multi-byte UTF-8 sequences do not occur by chance in single-byte text.
        notes.append(
            ("encoding_mismatch", f"declared {declared}, the bytes are UTF-8: read as UTF-8")
        )
        return normalize_text(utf8), "utf-8"
    if declared:
        try:
            return normalize_text(data.decode(declared)), declared
        except (UnicodeDecodeError, LookupError):
            log.info("declared charset %s does not fit, detecting", declared)
    if utf8 is not None:
        return normalize_text(utf8), "utf-8"
    text, encoding = decode_undeclared(data, notes)
    if declared and encoding != declared:
        notes.append(
            (
                "encoding_mismatch",
                f"declared {declared}, the bytes do not fit it: read as {encoding}",
            )
        )
    return text, encoding


def decode_undeclared(data: bytes, notes: list[tuple[str, str]]) -> tuple[str, str]:
    """Bytes that are not valid UTF-8: UTF-8 with a few stray Windows-1252 bytes (repaired,
    noted as mixed_encoding), or a single-byte Latin text, or what the detector finds."""
    mixed, stray = decode_mixed(data)
    if mixed is not None:
        detail = f"{stray} byte(s) not valid UTF-8 in UTF-8 text: read as Windows-1252"
        notes.append(("mixed_encoding", detail))
        return normalize_text(mixed), "utf-8"
    latin = looks_like_cp1252(data)
    if latin is not None:
        return normalize_text(latin), "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise DocumentError("undecodable", "no text encoding fits these bytes")
    if best.encoding in SINGLE_BYTE_LATIN:
        # The detector cannot tell the Latin code pages apart on short texts; like browsers,
        # take Windows-1252 (a superset of Latin-1) when it fits, as our languages use it.
        try:
            return normalize_text(data.decode("cp1252")), "cp1252"
        except UnicodeDecodeError:
            pass
    text = str(best)
    if (
        sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t")
        > len(text) // 20
    ):
        raise DocumentError(
            "binary_content", f"control characters after decoding as {best.encoding}"
        )
    return normalize_text(text), best.encoding


def decode_mixed(data: bytes) -> tuple[str | None, int]:
    """UTF-8 text with stray single bytes of another encoding, with those read as Windows-1252
    (Latin-1 where Windows-1252 leaves a byte undefined), and their count; (None, n) when the
    bytes are not mostly UTF-8 (more invalid bytes than valid multi-byte characters)."""
    text = data.decode("utf-8", "surrogateescape")  # invalid bytes become U+DC80..U+DCFF
    stray = len(STRAY_BYTE.findall(text))
    valid = sum(1 for ch in text if ord(ch) > 0x7F) - stray
    if not stray or valid <= stray:
        return None, stray
    return STRAY_BYTE.sub(lambda m: _single_byte(ord(m.group()) - 0xDC00), text), stray


def looks_like_cp1252(data: bytes) -> str | None:
    """The bytes as Windows-1252 text when that reads as Western European text (nearly all
    non-ASCII characters Latin letters or typographic punctuation), else None. On short texts
    with few such bytes the detector guesses other code pages (cp775: "M³nchen")."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    other = [ch for ch in text if ord(ch) > 0x7F]
    western = sum(1 for ch in other if ch in WESTERN_PUNCTUATION or "\u00c0" <= ch <= "\u00ff")
    return text if western >= 0.9 * len(other) else None


def _single_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # Latin-1: the C1 control of that number


def declared_charset(data: bytes) -> str | None:
    match = CHARSET_RE.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace").lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def normalize_text(text: str) -> str:
    """NFC, Unix newlines, no BOM: the form every offset refers to."""
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).lstrip(
        "\ufeff"
    )


def content_id(text: str) -> str:
    """A stable article id from the normalized content: equal texts, equal ids."""
    canonical = " ".join(text.split())  # letter case counts: a case-only edit is a new text
    return hashlib.sha1(canonical.encode("utf-8")).hexdigest()[:16]


def extract_html(html: str, config: Config) -> Article:
    """Main text and metadata of a saved web page through trafilatura, offline."""
    check_html_depth(html, config.max_html_depth)
    doc = trafilatura.bare_extraction(
        html,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise DocumentError("no_main_text", "trafilatura found no article in the page")
    body = normalize_text(doc.text or "").strip()
    if len(body.split()) <= NAVIGATION_MAX_WORDS and only_link_text(body, html):
        raise DocumentError("no_main_text", "the page holds only navigation links")
    title = normalize_text(doc.title or "").strip()
    text = body if not title or body.startswith(title) else f"{title}\n\n{body}"
    return Article(
        article_id="",
        source_paths=[],
        text=text,
        title=title or first_line(body),
        published=(doc.date or "")[:10] or find_dateline(body),
        author=doc.author or "",
        site_name=doc.sitename or "",
        url=doc.url or "",
        description=doc.description or "",
    )


def only_link_text(body: str, html: str) -> bool:
    """True when every word of the extracted text is the text of a link in the page (menus,
    footers: a navigation page, not an article)."""
    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return False
    links = {" ".join(a.text_content().split()) for a in root.iter("a")}
    rest = " ".join(body.split())
    for link in sorted((t for t in links if t), key=len, reverse=True):
        rest = rest.replace(link, " ")
    return re.search(r"\w", rest) is None


def check_html_depth(html: str, max_depth: int) -> None:
    """Refuse pathologically nested documents before the full parse."""
    depth = 0
    deepest = 0
    for match in re.finditer(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>", html):
        closing, tag, selfclosing = match.groups()
        if selfclosing or tag.lower() in {"br", "img", "meta", "link", "hr", "input", "wbr"}:
            continue
        depth += -1 if closing else 1
        deepest = max(deepest, depth)
        if deepest > max_depth:
            raise DocumentError("html_too_deep", f"nesting deeper than {max_depth} elements")


def extract_plain(text: str, *, markdown: bool) -> Article:
    """Plain text and Markdown: title from the first line, date from a dateline."""
    if markdown:
        for pattern, repl in MD_MARKUP:
            text = pattern.sub(repl, text)
    text = text.strip()
    return Article(
        article_id="",
        source_paths=[],
        text=text,
        title=first_line(text),
        published=find_dateline(text),
    )


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def find_dateline(text: str, window: int = 600) -> str:
    """The first date written near the top (a dateline), as an ISO 8601 date, or ''.

    Dates are read by htmldate's parsers (which trafilatura uses for web pages): day, month
    name and year in English, German and other languages ("4 March 2025", "3. Jänner 2025",
    "January 27, 2025"), or numbers ("2025-03-12", "12.03.2025", day first). Line by line,
    a date with a month name first."""
    for line in text[:window].splitlines():
        found = regex_parse(line)
        if found is None and (match := YMD_PATTERN.search(line)):
            found = numeric_date(match)
        if found is not None and DATELINE_EARLIEST <= found <= DATELINE_LATEST:
            return found.strftime("%Y-%m-%d")
    return ""


def numeric_date(match: re.Match[str]) -> datetime | None:
    """A date from a match of htmldate's YMD_PATTERN (year first, or day first)."""
    try:
        if match.group("year"):
            return datetime(int(match["year"]), int(match["month"]), int(match["day"]))
        if len(match["year2"]) != 4:
            return None  # "12.03.25": too easily a version number or a score
        return datetime(int(match["year2"]), int(match["month2"]), int(match["day2"]))
    except ValueError:
        return None


# --- near duplicates -----------------------------------------------------------------------
#: MinHash over word 5-shingles; pairs above this estimated Jaccard similarity are duplicates.
NEAR_DUPLICATE_THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE = 5
MINHASH_SCHEME = "affine32"


def minhash_signature(text: str) -> bytes:
    """A MinHash signature of the text's word shingles (case and punctuation ignored)."""
    words = re.findall(r"\w+", text.casefold())
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme=MINHASH_SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return bytes(minhash.hashvalues.astype(np.uint64).tobytes())


def near_duplicates(
    published: Mapping[str, str],
    signatures: Mapping[str, bytes],
    threshold: float,
    first_seen: Mapping[str, tuple[int, str]] | None = None,
) -> dict[str, str]:
    """article_id -> the article it nearly duplicates, for every article in a group of
    near-identical texts. The original of a group is its earliest published copy; on equal
    (or missing) dates, the copy first seen: `first_seen` gives each article's (position of
    its corpus folder in the order they were first run, path); then the smallest id."""
    seen = first_seen or {}
    last = (1 << 30, "")  # articles with no known source go last
    hashes = {
        aid: MinHash(
            num_perm=NUM_PERM,
            seed=1,
            scheme=MINHASH_SCHEME,
            hashvalues=np.frombuffer(sig, dtype=np.uint64),
        )
        for aid, sig in signatures.items()
    }
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    for aid in sorted(hashes):
        lsh.insert(aid, hashes[aid])
    parent = {aid: aid for aid in hashes}

    def root(aid: str) -> str:
        while parent[aid] != aid:
            parent[aid] = parent[parent[aid]]
            aid = parent[aid]
        return aid

    for aid in sorted(hashes):
        for other in lsh.query(hashes[aid]):
            if other != aid and hashes[aid].jaccard(hashes[other]) >= threshold:
                parent[root(other)] = root(aid)
    groups: dict[str, list[str]] = {}
    for aid in sorted(hashes):
        if aid in published:
            groups.setdefault(root(aid), []).append(aid)
    result = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        canonical = min(
            members, key=lambda aid: (published[aid] or "9999", seen.get(aid, last), aid)
        )
        for member in members:
            if member != canonical:
                result[member] = canonical
    return result
