"""What the reliability tests feed the pack, and how they judge what comes back: typed text of every
awkward kind, canary payloads, and the checks for a one-line error and for live markup."""

import re
from html.parser import HTMLParser
from pathlib import Path

TOKEN = "7Q4X"  # in every sender string, so a leak can be searched for
SENDER_NAME_WORD = f"Quillfeather{TOKEN}"
SENDER_ADDRESS_WORD = f"Canarylane{TOKEN}"

# Unicode look-alikes and invisible characters.
FULLWIDTH = "Ａｌｄｅｒｓｈｏｔ"  # resolves: NFKD folds it to "Aldershot"
CYRILLIC = "Аldershot"  # Cyrillic А: a different word
LOOKALIKES = [
    FULLWIDTH,
    CYRILLIC,
    "Ald\u200dershot",
    "Ald\u200cershot",
    "\u202eAldershot",
    "Aldershot\u200b",
    "\ufeffAldershot",
    "Ａldershot",
    "ＳＷ１Ａ １ＡＡ",
    "SW1А 1АА",
    "ЅW1A 1AA",
    "SW1A\u00a01AA",
    "Ｅ１４００１０６３",
    "E١٤٠٠١٠٦٣",
    "ynys mo\u0302n",
    "Ynys M\u00f4n\u0301",
]
CONTROLS = [
    "\x00",
    "Aldershot\x00",
    "\x07",
    "\x1b[31mAldershot",
    "\x7f",
    "Ald\x08ershot",
    "\x85",
    "\u2028",
    "Aldershot\r",
    "\tAldershot\n",
    "SW1A 1AA\n",
    "\x1c\x1d\x1e\x1f",
    "\ud800",
    "\udcff",
]
CODE_LIKE = [
    "'; import os #",
    "$(id)",
    "`id`",
    "{{7*7}}",
    "${7*7}",
    "__import__('os').system('id')",
    "<script>alert(1)</script>",
    "<% 7*7 %>",
    "{% print(1) %}",
    "#{7*7}",
    "%s%s%s%n",
    "../../etc/passwd",
    "Robert'); DROP TABLE seats;--",
    "\\",
    "'",
    '"',
    '"""',
    "\\x00",
    "; rm -rf ~",
    "| cat /etc/passwd",
    "&& id",
    "\"; exec('id'); \"",
    "{0.__class__}",
    "[[7*7]]",
]
SIZES = ["", " ", "\t \n", "x" * 10_000, "a" * 201, "Aldershot " * 30, "E" * 10_000 + "14001063"]
POSTCODES = [
    "SW1A",
    "SW1A 1A",
    "ZZ9 9ZZ",
    "QQ1 1AA",
    "B1 1AA",
    "SW1A 1AAA",
    "sw1a-1aa",
    "12345",
    "BT1 1AA",
    "bt93 8ad",
    "BT48 6DQ",
    "GY1 1AA",
    "JE2 3AA",
    "IM1 1AA",
    "BFPO 123",
    "GIR 0AA",
    "SR43 2AA",
]
TYPED = SIZES + CONTROLS + LOOKALIKES + CODE_LIKE + POSTCODES

# What resolves although it looks odd (everything else in TYPED must be refused).
RESOLVES = {
    FULLWIDTH: "E14001063",
    "Ａldershot": "E14001063",
    "\tAldershot\n": "E14001063",
    "Aldershot\r": "E14001063",
    "SW1A 1AA\n": "E14001172",
    "SW1A\u00a01AA": "E14001172",
    "ynys mo\u0302n": "W07000112",
    "Ynys M\u00f4n\u0301": "W07000112",
}


def canary_payloads(folder: Path) -> list[str]:
    """Text that creates a file in ``folder`` if a shell, Python, papermill or a template runs it."""
    target = str(folder)
    return [
        f"$(touch {target}/sh1)",
        f"`touch {target}/sh2`",
        f"; touch {target}/sh3 #",
        f"__import__('pathlib').Path({target + '/py1'!r}).touch()",
        f"'; __import__('pathlib').Path({target + '/py2'!r}).touch(); '",
        f"\"; __import__('pathlib').Path({target + '/py3'!r}).touch(); \"",
        f'"""; __import__(\'pathlib\').Path({target + "/py4"!r}).touch(); """',
        f"\\'; __import__('pathlib').Path({target + '/py5'!r}).touch() #",
        f"${{__import__('pathlib').Path({target + '/tpl1'!r}).touch()}}",
        f"{{% set x = cycler.__init__.__globals__.os.system('touch {target}/tpl2') %}}",
        f"<%= system('touch {target}/tpl3') %>",
        f"<script>fetch('file://{target}/js1')</script>",
    ]


def assert_one_line_error(code, out: str, err: str, *, allowed=(0, 2)):
    shown = (code, out[:300], err[-1500:])
    assert code in allowed, shown
    assert "Traceback" not in err and "Traceback" not in out, shown
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1 and err.endswith("\n"), shown
        assert out == ""
        assert len(err) < 600, shown


class _Tags(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


FORBIDDEN_TAGS = {
    "script",
    "img",
    "a",
    "link",
    "iframe",
    "frame",
    "object",
    "embed",
    "style",
    "base",
    "svg",
    "form",
    "input",
    "video",
    "audio",
    "source",
}
FORBIDDEN_ATTRS = {"src", "srcset", "href", "action", "formaction", "data", "background", "poster"}
REMOTE_CSS = re.compile(r"@import|expression\(|url\(\s*(?!['\"]?(?:data:|#))", re.IGNORECASE)


def live_markup(page: str, *, allow_tags=frozenset(), allow_data_urls=False) -> list:
    """Real (unescaped) tags, attributes or CSS in ``page`` that could run or fetch something."""
    found = []
    for tag, attrs in _Tags(page).tags:
        if tag in FORBIDDEN_TAGS - set(allow_tags) or (tag == "meta" and "http-equiv" in attrs):
            found.append((tag, attrs))
        for name, value in attrs.items():
            value = str(value or "")
            if name.startswith("on") or (name == "style" and REMOTE_CSS.search(value)):
                found.append((tag, name, value))
            elif name in FORBIDDEN_ATTRS and not (allow_data_urls and value.startswith(("data:", "#"))):
                if not (tag == "a" and name == "href" and "a" in allow_tags):
                    found.append((tag, name, value))
    for css in re.findall(r"<style[^>]*>(.*?)</style>", page, re.DOTALL | re.IGNORECASE):
        found.extend(("style", match) for match in REMOTE_CSS.findall(css))
    return found


def files_under(folder: Path) -> list[Path]:
    return sorted(path for path in Path(folder).rglob("*") if path.is_file()) if Path(folder).exists() else []
