from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import ingest
from pipeline.config import load_config
from pipeline.errors import DocumentError, InputError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


def read(path: Path) -> ingest.Article:
    return ingest.read_article(path, path.name, load_config())


def test_windows_1252_german_text_keeps_umlauts_and_euro_sign() -> None:
    path = ROOT / "corpus/de/de_freiburg_photovoltaik_schuldaecher_cp1252.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    article = read(path)
    assert "Schuldächer" in article.text
    assert "€" in article.text
    assert "Ã" not in article.text  # no mojibake
    assert article.encoding in {"cp1252", "windows-1252"}


def test_declared_latin1_html_page_is_decoded_and_boilerplate_removed() -> None:
    article = read(ROOT / "corpus/de/hamburg_kopenhagen_partnerschaft_latin1.html")
    assert article.encoding == "cp1252"
    assert "Kopenhagen" in article.text and "Häfen" in article.text
    for boilerplate in ("Alle akzeptieren", "Impressum", "Cookies"):
        assert boilerplate not in article.text
    assert article.title.startswith("Hamburg und Kopenhagen")
    assert article.published == "2025-05-08"
    assert article.source_format == "html"


def test_latin1_and_utf16_fixtures_decode() -> None:
    assert "Münster schließt" in read(FIXTURES / "good/latin1_de.txt").text
    utf16 = read(FIXTURES / "good/utf16_en.txt")
    assert utf16.encoding == "utf-16"
    assert utf16.title == "Porto opens a cycling data portal"
    assert utf16.published == "2025-06-02"


def test_plain_text_title_and_dateline() -> None:
    article = read(ROOT / "corpus/de/leipzig_5g_campusnetz.txt")
    assert article.title.startswith("Leipzig nimmt kommunales 5G-Campusnetz")
    assert article.published == "2025-03-12"


def test_markdown_markup_is_stripped() -> None:
    article = read(ROOT / "corpus/en/lisbon_smart_parking.md")
    assert not article.text.startswith("#")
    assert "**" not in article.text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("empty.txt", "empty_file"),
        ("whitespace.txt", "no_text"),
        ("pdf_bytes.txt", "binary_content"),
        ("png_bytes.txt", "binary_content"),
        ("zip_bytes.md", "binary_content"),
        ("nul_bytes.txt", "nul_bytes"),
        ("navigation_only.html", "no_main_text"),
    ],
)
def test_bad_files_raise_a_specific_reason(name: str, reason: str) -> None:
    with pytest.raises(DocumentError) as caught:
        read(FIXTURES / "bad" / name)
    assert caught.value.reason == reason


def test_too_large_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("Smart city news. " * 100, encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        ingest.read_article(path, "big.txt", load_config(max_file_bytes=500))
    assert caught.value.reason == "too_large"


def test_folder_run_records_problems_and_merges_exact_duplicates(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "a b ü").mkdir(parents=True)
    text = (ROOT / "corpus/en/bristol_hydrogen_buses.txt").read_bytes()
    (corpus / "one.txt").write_bytes(text)
    (corpus / "a b ü" / "copy of one.txt").write_bytes(text)
    (corpus / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "dangling.txt").symlink_to(corpus / "missing.txt")
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    result = ingest.run(load_config(corpus=corpus))
    assert result.files_seen == 6
    assert len(result.articles) == 1
    assert result.articles[0].source_paths == ["a b ü/copy of one.txt", "one.txt"]
    assert [f.article_id for f in result.files].count(result.articles[0].article_id) == 2
    reasons = {p.source_path: p.reason for p in result.problems}
    assert reasons == {
        "image.jpg": "unsupported_file_type",
        "empty.txt": "empty_file",
        "dangling.txt": "broken_symlink",
        "loop.txt": "symlink_loop",
    }


def test_missing_corpus_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ingest.run(load_config(corpus=tmp_path / "nope"))


def test_article_id_keeps_letter_case() -> None:
    """A case-only edit is a new text (it was not: the id hashed the lower-cased text)."""
    assert ingest.content_id("Smart City news") != ingest.content_id("smart city news")


def test_article_id_ignores_whitespace_differences() -> None:
    assert ingest.content_id("Smart  city\nnews") == ingest.content_id("Smart city news")
    assert ingest.content_id("Smart city news") != ingest.content_id("Smart city views")


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Title\n\nBRISTOL, 4 March 2025 – Bristol's transport committee", "2025-03-04"),
        ("Title\n\nTALLINN, January 27, 2025 — Residents", "2025-01-27"),
        ("Titel\n\nDortmund, 19. Februar 2025 – Anträge", "2025-02-19"),
        ("Titel\n\nWien, 3. Jänner 2025 – Die Stadt", "2025-01-03"),
        ("Titel\n\nBerlin, 4. März 2025 – Der Senat", "2025-03-04"),
        ("Titel\n\nStand: 12.03.2025 – Leipzig", "2025-03-12"),  # day first
        ("Title\n\nUpdated 2025-03-12 by the press office", "2025-03-12"),
        ("Title\n\nVersion 1.2.3 of the app, 40 buses by 2026", ""),
        ("Title\n\nNo date at all here", ""),
    ],
)
def test_dateline_dates_in_english_and_german(text: str, date: str) -> None:
    assert ingest.find_dateline(text) == date


def test_an_html_page_gets_the_dateline_date_of_its_text(tmp_path: Path) -> None:
    """The same press release as .txt and as a page without date metadata: the same date."""
    text = (ROOT / "corpus/en/bristol_hydrogen_buses.txt").read_text(encoding="utf-8")
    title, body = text.split("\n", 1)
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n") if p.strip())
    page = tmp_path / "bristol.html"
    page.write_text(
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    as_text = read(ROOT / "corpus/en/bristol_hydrogen_buses.txt")
    as_page = read(page)
    assert as_text.published == "2025-03-04"
    assert as_page.published == as_text.published


def test_near_duplicates_keep_the_earliest_copy_then_the_first_folder() -> None:
    signature = ingest.minhash_signature(" ".join(f"word{i}" for i in range(200)))
    signatures = {"a": signature, "b": signature, "c": signature}
    # by date first, whatever the ids and folders
    published = {"a": "2025-03-05", "b": "2025-03-04", "c": ""}
    first_seen = {"a": (0, "x.txt"), "b": (1, "x.txt"), "c": (0, "a.txt")}
    assert ingest.near_duplicates(published, signatures, 0.8, first_seen) == {"a": "b", "c": "b"}
    # equal dates: the copy in the folder run first, not the smaller id
    published = {"a": "2025-03-04", "b": "2025-03-04", "c": "2025-03-04"}
    first_seen = {"a": (1, "republished.txt"), "b": (0, "original.txt"), "c": (2, "a.txt")}
    assert ingest.near_duplicates(published, signatures, 0.8, first_seen) == {"a": "b", "c": "b"}


NAVIGATION_LINKS = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Home</title></head>
<body><ul><li><a href="/rathaus">Rathaus und Verwaltung</a></li>
<li><a href="/service">Bürgerservice online</a></li>
<li><a href="/kultur">Kultur und Freizeit</a></li>
<li><a href="/presse">Presse und Aktuelles aus der Stadt</a></li></ul>
<p><a href="/impressum">Impressum</a> | <a href="/datenschutz">Datenschutz</a> |
<a href="/kontakt">Kontakt</a></p></body></html>"""


def test_a_page_of_navigation_links_has_no_main_text(tmp_path: Path) -> None:
    """trafilatura keeps the line of footer links: it became an article (undetermined_language)."""
    path = tmp_path / "home.html"
    path.write_text(NAVIGATION_LINKS, encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        read(path)
    assert caught.value.reason == "no_main_text"
    assert caught.value.detail == "the page holds only navigation links"
