"""What a person reads on a page, and what must not be there: a stored code, a number or date written the
wrong way, or a word of the other language.

`visible_text(html)` keeps what is shown or read aloud (text, SVG text, title, aria-label, placeholder,
alt, button values), not scripts, styles, URLs or form values. `problems(text, lang)` lists what is wrong
with it. The words below are chosen so that neither language uses them in the other and the demo's names
(people, employers, offices, regions) do not contain them: a page's data is not its language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html.parser import HTMLParser

# English words that are not Indonesian (nor the project's acronyms). Common UI words and the codes'
# English that leaked before (closed, other, synthetic, employed, warning).
_ENGLISH_WORDS = """
    the and of to is are was were with from for not this that these those by on at or an be been has have
    had it its into than then there their which when where who will would should could can't don't
    all other others closed open opened active ended pending submitted approved rejected verified paid
    unpaid warning employed unemployed synthetic source none yes name date page next previous
    show search save cancel edit delete new add list back more month months year years rate members
    member workers worker employer employers person persons claims claim bill bills payment payments
    coverage region regions sector segment report download upload file import export home sign out
    amount amounts due outstanding balance fine fines credit account accounts arrears overdue days
    since until before after about every each only also just here your you our we they he she them
    case cases finding findings letter letters step steps deadline issued level levels programme programmes
    membership memberships employment birth address phone wage wages income declared started start end
    health hospital clinic midwife pharmacy practice office branch agency agencies
    people unknown missing vulnerable waiting approve reject verify choose enter filter reset apply
"""
ENGLISH = set(_ENGLISH_WORDS.split())

# Indonesian words that are not English: the interface's own words, none of them in the demo's names.
_INDONESIAN_WORDS = """
    yang dan atau untuk dengan tidak belum sudah dari pada ini itu akan bisa dapat harus tanggal bulan
    tahun halaman cari simpan batal ubah hapus tambah daftar kembali peserta pemberi iuran tagihan
    klaim laporan unduh unggah berkas wilayah sektor aktif nonaktif berakhir diajukan disetujui ditolak
    dibayar lunas tunggakan jumlah nama alamat semua lainnya denda saldo kasus temuan surat tenggat
    masuk keluar beranda anggota penghasilan upah lahir mulai selesai sebelum sesudah setiap hanya
"""
INDONESIAN = set(_INDONESIAN_WORDS.split())

# Programme, segment and payer acronyms: capitals in prose; in lower case they are stored codes ("csr").
ACRONYMS = {"apbd", "apbn", "csr", "bpu", "jkk", "jkm", "jht", "jkp", "pmi", "kbli", "npp", "kpj", "nik"}

# Loan phrases and glosses that belong to both languages: Indonesian banking says "virtual account", the
# English labels gloss the legal terms ("Basic wage (upah pokok)") and keep the finding classes' names.
SHARED_PHRASES = re.compile(
    r"virtual account|upah pokok|tunjangan tetap|surat keterangan|PDS Upah|PDS Program|PDS Tenaga Kerja",
    re.IGNORECASE,
)

# A file format's description names its columns as the file must spell them, in either language.
FILE_COLUMNS = re.compile(r"^(?:Kolom|Columns):.*$", re.MULTILINE)

# Codes as they are stored: snake_case, SHOUTED_CODES, internal file references.
CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[A-Z]+(?:_[A-Z0-9]+)+\b|\b[\w/]+\.(?:md|py|toml)\b")
HYPHENATED = re.compile(r"\b([a-z]+)-([a-z]+)\b")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{2}-\d{2}-\d{4}\b|\b\d{4}-\d{2}\b")
SHORT_MONTH = re.compile(
    r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Agu|Aug|Agt|Sep|Okt|Oct|Nov|Des|Dec)\.? \d{4}\b"
)
RUPIAH_BARE = re.compile(r"\bRp\s+\d|\bRp\d{4,}|\bIDR\b")
GROUPED = {"id": re.compile(r"\b\d{1,3}(?:,\d{3})+\b"), "en": re.compile(r"\b\d{1,3}(?:\.\d{3})+\b(?!\.)")}
# A decimal written the other language's way: "0.9%" on an Indonesian page, "0,9 %" on an English one.
DECIMAL = {"id": re.compile(r"\b\d+\.\d+\s?%"), "en": re.compile(r"\b\d+,\d+\s?%")}
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_SHOWN_ATTRS = ("title", "aria-label", "placeholder", "alt")
_HIDDEN = {"script", "style", "template", "head"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """Text of the page's own language. A part marked as another language (`lang="en"` on an Indonesian
    page: prose the calculators write in English only) is counted in `islands`, not read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.numbers: list[str] = []
        self.islands = 0
        self._hidden = 0
        self._num: list[bool] = []
        self._page_lang = ""
        self._other: list[str] = []  # open elements' tags while inside a part in another language

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self._page_lang = found.get("lang") or ""
        if self._other:
            self._other.append(tag)
            return
        if tag not in _VOID and found.get("lang") and tag != "html" and found["lang"] != self._page_lang:
            # The language switcher names each language in itself ("English" on an Indonesian page): no
            # untranslated text, so not counted.
            self.islands += found.get("name") != "language"
            self._other.append(tag)
            return
        if tag in _HIDDEN:
            self._hidden += 1
        for name in _SHOWN_ATTRS:
            if found.get(name):
                self.parts.append(str(found[name]))
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.parts.append(str(found["value"]))
        if tag in ("td", "th", "span", "dd", "strong", "b"):
            self._num.append("num" in (found.get("class") or "").split())

    def handle_endtag(self, tag: str) -> None:
        if self._other:
            if tag in self._other:
                del self._other[len(self._other) - 1 - self._other[::-1].index(tag) :]
            return
        if tag in _HIDDEN and self._hidden:
            self._hidden -= 1
        if tag in ("td", "th", "span", "dd", "strong", "b") and self._num:
            self._num.pop()

    def handle_data(self, data: str) -> None:
        if self._hidden or self._other or not data.strip():
            return
        self.parts.append(data)
        if self._num and self._num[-1]:
            self.numbers.append(data)


def visible_text(html: str) -> tuple[str, list[str], int]:
    """(the text people see, the texts of cells marked as numbers, parts marked as another language)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "\n".join(p.strip() for p in parser.parts), parser.numbers, parser.islands


def problems(
    text: str, lang: str, *, numbers: Sequence[str] = (), allowed: frozenset[str] = frozenset()
) -> list[str]:
    """Each problem as "kind: the offending text", for a page in `lang` ("id" or "en")."""
    found: list[str] = []
    text = FILE_COLUMNS.sub("", SHARED_PHRASES.sub("", text))
    for match in CODE.finditer(text):
        if match.group(0) not in allowed:
            found.append(f"code: {match.group(0)}")
    for match in HYPHENATED.finditer(text):
        first, second = match.groups()
        if first != second and ({first, second} & ACRONYMS or (lang == "id" and {first, second} & ENGLISH)):
            found.append(f"code: {match.group(0)}")
    for pattern, kind in ((ISO_DAY, "date"), (SHORT_MONTH, "date"), (RUPIAH_BARE, "rupiah")):
        found += [f"{kind}: {m.group(0)}" for m in pattern.finditer(text)]
    found += [f"number: {m.group(0)}" for m in GROUPED[lang].finditer(text)]
    found += [f"number: {m.group(0)}" for m in DECIMAL[lang].finditer(text)]
    for cell in numbers:
        if re.search(r"(?<![\d.,])\d{4,}(?![\d.,])", cell) and not re.fullmatch(r"\s*\d{4}\s*", cell):
            found.append(f"number: {cell.strip()}")
    other = ENGLISH if lang == "id" else INDONESIAN
    for word in WORD.findall(text):
        if word in ACRONYMS:
            found.append(f"code: {word}")
        elif word.lower() in other and word not in allowed:
            found.append(f"{'English' if lang == 'id' else 'Indonesian'}: {word}")
    return found
