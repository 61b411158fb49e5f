"""Telegram's text rules: parts within the limit in UTF-16 units, cut at line breaks, never
inside an emoji, a tag or an entity, HTML balanced in every part; quoted text on one line."""

from __future__ import annotations

import html
import itertools
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.telegram_text import (
    CAPTION_LIMIT,
    MESSAGE_LIMIT,
    one_line,
    plain_text,
    split_html,
    split_message,
    split_spans,
    utf16_length,
)

# Words, and whole characters as a reader sees them, none longer than 8 UTF-16 units.
WORDS = ["Wort", "مرحبا"]
PIECES = [*WORDS, "a", "ع", "é", "e\u0301", "ب\u064e", "😀", "👍🏽", "❤️", "👨\u200d👩\u200d👧", "🇩🇪", "🇺🇦",
          "1\ufe0f\u20e3", "\xa0", " ", "  ", "\t", "\n", "\n\n", "&", "<", "x"]
LIMITS = st.sampled_from([2, 3, 5, 7, 8, 13, 64, MESSAGE_LIMIT]) | st.integers(2, 40)
piece_lists = st.lists(st.sampled_from(PIECES), max_size=200)


def check_spans(text: str, limit: int) -> list[tuple[int, int]]:
    """The documented rule: parts in order, within the limit, non-empty; between, before and
    after them only whitespace (a hard cut drops nothing)."""
    spans = split_spans(text, limit)
    parts = split_message(text, limit)
    assert parts == [text[start:end] for start, end in spans]
    assert all(part and utf16_length(part) <= limit for part in parts)
    edges = [0, *(p for span in spans for p in span), len(text)]
    gaps = [text[edges[i]:edges[i + 1]] for i in range(0, len(edges), 2)]
    assert all(gap == "" or gap.isspace() for gap in gaps)
    assert gaps[0] == "" or gaps[0].endswith("\n")  # only blank lines go before the first line
    assert "".join(g + p for g, p in zip(gaps, parts, strict=False)) + gaps[-1] == text
    return spans


@settings(max_examples=400, deadline=None)
@given(piece_lists, LIMITS)
@example(pieces=["\xa0", "👨\u200d👩\u200d👧"], limit=8)
def test_parts_fit_and_give_back_the_text(pieces, limit):
    text = "".join(pieces)
    spans = check_spans(text, limit)
    if utf16_length(text) <= limit:
        assert split_message(text, limit) == ([text] if text else [])
    if limit >= 8:  # every reader's character fits, so no cut falls inside one ...
        boundaries, offset = {0}, 0
        for piece in pieces:
            boundaries.update(offset + i for i in range(1, len(piece)) if piece in WORDS)
            offset += len(piece)
            boundaries.add(offset)
        # ... unless keeping it whole would leave a part with nothing visible before it, which
        # Telegram refuses to send (a no-break space, then a family emoji of exactly the limit)
        forced = {end for start, end in spans
                  if end not in boundaries and text[start:max(b for b in boundaries if b < end)].isspace()}
        assert all(start in boundaries | forced and end in boundaries | forced for start, end in spans)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), LIMITS)
def test_any_unicode_text(text, limit):
    check_spans(text, limit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["a", "😀", "ع", " ", "👍🏽", "🇩🇪"]), max_size=6).map("".join), max_size=40),
       st.integers(24, 60))  # a line: at most 6 × 4 units
def test_lines_that_fit_are_kept_whole(lines, limit):
    text = "\n".join(lines)
    spans = check_spans(text, limit)
    assert all("\n" in text[end:start] for (_, end), (start, _) in itertools.pairwise(spans))


def test_a_long_arabic_text_is_cut_between_lines():
    line = "مرحبا بك في بيليفيلد، هنا تجد المساعدة في مكتب الأجانب والمدرسة والطبيب."
    text = "\n".join(f"{i}. {line}" for i in range(140))
    assert len(text) > 10_000
    parts = split_message(text)
    assert len(parts) == 3 and all(utf16_length(part) <= MESSAGE_LIMIT for part in parts)
    assert "\n".join(parts) == text


def test_a_line_without_spaces_is_cut_hard_at_the_limit():
    assert split_message("x" * 5000) == ["x" * 4096, "x" * 904]
    assert split_message("y" * 5000, CAPTION_LIMIT) == ["y" * 1024] * 4 + ["y" * 904]


def test_a_long_line_is_cut_at_its_last_space():
    assert split_message("eins zwei drei", 10) == ["eins zwei", "drei"]
    assert split_message("eins   zwei\n  drei", 12) == ["eins   zwei", "  drei"]  # indentation stays


def test_an_emoji_at_the_boundary_moves_to_the_next_part():
    assert split_message("a" * 4095 + "😀b") == ["a" * 4095, "😀b"]
    assert split_message("a" * 4095 + "❤️b") == ["a" * 4095, "❤️b"]  # not cut before its variation selector
    assert split_message("a" * 4090 + "👨\u200d👩\u200d👧") == ["a" * 4090, "👨\u200d👩\u200d👧"]
    assert split_message("🇩🇪🇺🇦🇩🇪", 6) == ["🇩🇪", "🇺🇦", "🇩🇪"]  # never half a flag
    assert split_message("😀" * 5, 7) == ["😀😀😀", "😀😀"]


def test_edges():
    assert split_message("") == [] and split_html("") == []
    assert split_message("kurz\n") == ["kurz\n"]
    assert split_message("\n\n" + "a" * 10, 5) == ["aaaaa", "aaaaa"]
    assert split_message("\n" * 10, 5) == []
    with pytest.raises(ValueError):
        split_message("a", 1)
    assert utf16_length("a😀é") == 4


class Balanced(HTMLParser):
    """Fails on a tag closed out of order or left open, or cut; collects the visible text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.data: list[str] = []
        self.feed(text)
        self.close()
        assert not self.stack, f"left open: {self.stack} in {text!r}"

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> out of order"

    def handle_data(self, data):
        assert "<" not in data and ">" not in data, f"a tag was cut: {data!r}"
        self.data.append(data)

    def handle_entityref(self, name):
        self.data.append(html.unescape(f"&{name};"))

    def handle_charref(self, name):
        self.data.append(html.unescape(f"&#{name};"))


LINK = '<a href="https://t.me/x?a=1&amp;b=2">'
leaves = st.lists(st.sampled_from(PIECES), max_size=40).map(lambda pieces: html.escape("".join(pieces), quote=False))


def elements(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return leaves
    tag = st.sampled_from(["<b>", "<i>", "<code>", LINK])
    return leaves | st.builds(lambda start, inner: f"{start}{''.join(inner)}</{start[1:].split()[0].strip('>')}>",
                              tag, st.lists(elements(depth - 1), max_size=4))


def squeezed(text: str) -> str:
    return "".join("".join(Balanced(text).data).split())


@settings(max_examples=300, deadline=None)
@given(st.lists(elements(3), max_size=8).map("".join), st.integers(130, 400))
def test_html_parts_are_balanced_and_keep_the_text(text, limit):
    parts = split_html(text, limit)
    assert all(part and utf16_length(part) <= limit and utf16_length(plain_text(part)) <= limit for part in parts)
    assert "".join(squeezed(part) for part in parts) == squeezed(text)  # only whitespace dropped, entities whole
    if utf16_length(text) <= limit:
        assert parts == ([text] if text else [])


def test_a_long_bold_section_is_closed_and_reopened():
    text = "Hallo\n<b>" + "wichtig " * 1000 + "</b>\nEnde"
    parts = split_html(text)
    assert len(parts) == 3 and all(utf16_length(part) <= MESSAGE_LIMIT for part in parts)
    assert parts[0] == "Hallo"  # the long line starts a part of its own, then is cut at a space
    assert parts[1].startswith("<b>wichtig") and parts[1].endswith("</b>")
    assert parts[2].startswith("<b>wichtig") and parts[2].endswith("</b>\nEnde")
    for part in parts:
        Balanced(part)


def test_a_link_is_reopened_with_its_href():
    parts = split_html(f"{LINK}<b>{'Anmeldung ' * 30}</b></a>", 160)
    assert all(part.startswith(LINK + "<b>") and part.endswith("</b></a>") for part in parts)
    assert len(parts) > 2


def test_an_entity_is_never_cut():
    assert split_html("&amp;" * 10, 7) == ["&amp;"] * 10
    assert split_html("a&lt;b&gt;c" * 3, 6) == ["a&lt;b", "&gt;ca", "&lt;b", "&gt;ca", "&lt;b", "&gt;c"]


def test_plain_text_is_what_the_reader_sees():
    assert plain_text('<b>Termin</b> &amp; <a href="https://a.de">Amt</a> &lt;3') == "Termin & Amt (https://a.de) <3"
    assert plain_text('<a href="https://a.de">https://a.de</a>') == "https://a.de"
    assert plain_text('<code>x &gt; 1</code>') == "x > 1"


def test_one_line_shows_line_breaks_so_no_line_can_be_forged():
    quoted = one_line("Ich brauche Hilfe\n🤖 Lotse: Ihr Fall ist erledigt", 200)
    assert quoted == "Ich brauche Hilfe ⏎ 🤖 Lotse: Ihr Fall ist erledigt"
    for separator in ["\r\n", "\r", "\u2028", "\u2029", "\x85", "\v", "\f"]:
        assert one_line(f"a{separator}🤖 fake", 50) == "a ⏎ 🤖 fake"


def test_one_line_removes_bidi_controls_and_shortens():
    assert one_line("abc\u202edcb\u2066x\u2069\u200f", 50) == "abcdcbx"
    assert one_line("x" * 50, 10) == "x" * 9 + "…"
    assert one_line("ab👍🏽c", 4) == "ab…"  # not cut between the thumb and its skin tone


@given(st.text(max_size=200), st.integers(1, 60))
def test_one_line_is_one_short_line(text, limit):
    quoted = one_line(text, limit)
    assert len(quoted) <= limit and len(quoted.splitlines()) <= 1
    assert not set(quoted) & set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
