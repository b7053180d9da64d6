"""Sentence lengths of a briefing's first page, measured with textstat (pinned at 0.7.4).

    .venv/bin/python bench/page1_readability.py [PDF]

Prints the mean sentence length (textstat's avg_sentence_length: words / sentences) and the longest
sentence in words, splitting sentences as textstat's sentence_count does and counting each one's
words with textstat's lexicon_count, so both figures use the library's own definitions. The page's
header (kicker, title and the To/From/Asking for table) has no full stops, so textstat reads it as one
long sentence; the same figures are also given for the body, from its first sentence ("Since ..."). The default
PDF is the one ``make brief`` writes (Bridlington and The Wolds). Needs ``pip install textstat==0.7.4
pypdf`` (textstat is not a requirement of the pack).
"""

import re
import sys
from pathlib import Path

import textstat
from pypdf import PdfReader

DEFAULT_PDF = Path("briefing/out/E14001127-bridlington-and-the-wolds.pdf")
# textstat 0.7.4's sentence_count splits with this pattern and ignores pieces of two words or fewer.
TEXTSTAT_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*", re.UNICODE)


def page_one_text(pdf: Path) -> str:
    return " ".join(PdfReader(pdf).pages[0].extract_text().split())


def sentences(text: str) -> list[str]:
    return [s for s in TEXTSTAT_SENTENCE.findall(text) if textstat.lexicon_count(s) > 2]


def report(label: str, text: str) -> None:
    longest = max(sentences(text), key=textstat.lexicon_count)
    print(f"{label}: {textstat.sentence_count(text)} sentences, {textstat.lexicon_count(text)} words")
    print(
        f"  mean sentence length (textstat.avg_sentence_length): {textstat.avg_sentence_length(text)} words"
    )
    print(f"  longest sentence: {textstat.lexicon_count(longest)} words: {longest.strip()}")
    print(f"  Flesch reading ease: {textstat.flesch_reading_ease(text)}")


def main() -> None:
    pdf = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PDF
    text = page_one_text(pdf)
    print(f"{pdf.name}, page 1")
    report("whole page", text)
    report("body", text[text.index("Since ") :])


if __name__ == "__main__":
    main()
