"""Telegram's rules for message text, as pure functions for the adapter (standard library only).

Telegram counts lengths in UTF-16 code units (an emoji outside the Basic Multilingual Plane
counts 2), refuses a message longer than 4096 of them (a caption: 1024) and refuses HTML whose
tags do not balance. A longer answer therefore goes out as several messages, cut where a reader
expects a break and each valid HTML on its own; when Telegram refuses the HTML anyway, the
visible text is the fallback. A newcomer's words quoted in an advisors' transcript are kept on
one line, so that they cannot forge a line that looks like Lotse's."""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_ZWJ = "\u200d"
_NO_BREAK_SPACES = "\xa0\u2007\u202f"  # whitespace that asks not to be broken at
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"))
LINE_BREAK_MARK = " ⏎ "


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units, so 😀 counts 2 and é counts 1."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _joins_previous(ch: str) -> bool:
    """A character that belongs to the one before it: a combining mark, ZWJ, a variation
    selector, an emoji skin tone or a tag character (subdivision flags)."""
    return (unicodedata.category(ch).startswith("M") or unicodedata.combining(ch) != 0 or ch == _ZWJ
            or "\ufe00" <= ch <= "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff" or "\U000e0000" <= ch <= "\U000e01ef")


def _is_regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"  # two of them make one flag


def _cut_level(before: str, ch: str, regionals_before: int) -> int:
    """2 where a cut between `before` and `ch` is harmless; 1 where it would split what a reader
    sees as one character (base + mark, ZWJ sequence, flag, CR LF), so a last resort only.
    A rough, cheap approximation of Unicode's grapheme cluster rules (UAX #29)."""
    if (before, ch) == ("\r", "\n"):
        return 1
    if unicodedata.category(before) == "Cc" or unicodedata.category(ch) == "Cc":
        return 2  # a line break ends a grapheme, even before a stray combining mark
    joined = (_joins_previous(ch) or (before == _ZWJ and not ch.isspace())
              or (_is_regional(ch) and regionals_before % 2 == 1))
    return 1 if joined else 2


@dataclass
class _Layout:
    """What the splitter needs to know about each position p of `text` (0 ≤ p ≤ len(text))."""

    text: str
    units: list[int]  # UTF-16 length of text[:p]
    cut: list[int]  # before text[p]: 2 cut freely, 1 only as a last resort, 0 never (inside a tag or an entity)
    space: list[bool]  # text[p] is visible whitespace (not inside a tag) that a cut may drop
    visible: list[int]  # how many visible non-whitespace characters text[:p] holds
    open_at: list[tuple[tuple[str, str], ...]]  # elements open at p: (start tag as written, tag name)

    def opening(self, p: int) -> str:
        return "".join(tag for tag, _ in self.open_at[p])

    def closing(self, p: int) -> str:
        return "".join(f"</{name}>" for _, name in reversed(self.open_at[p]))

    def cost(self, start: int, end: int) -> int:
        """The UTF-16 length of the part text[start:end] once its open elements are reopened and closed."""
        return (utf16_length(self.opening(start)) + self.units[end] - self.units[start]
                + utf16_length(self.closing(end)))


Token = tuple[int, int, str, str]  # start, end, kind ("data", "ref", "start", "end", "other"), tag name


def _layout(text: str, tokens: list[Token]) -> _Layout:
    n = len(text)
    units = [0] * (n + 1)
    for i, ch in enumerate(text):
        units[i + 1] = units[i] + (2 if ord(ch) > 0xFFFF else 1)
    cut, space, shown = [0] * (n + 1), [False] * n, [0] * n
    open_at: list[tuple[tuple[str, str], ...]] = [()] * (n + 1)
    stack: tuple[tuple[str, str], ...] = ()
    regionals = 0  # regional indicators in a row just before the current character
    for start, end, kind, name in tokens:
        cut[start] = 2
        open_at[start:end] = [stack] * (end - start)
        if kind == "data":
            for i in range(start, end):
                ch = text[i]
                if i > start:
                    cut[i] = _cut_level(text[i - 1], ch, regionals)
                regionals = regionals + 1 if _is_regional(ch) else 0
                space[i] = ch.isspace() and ch not in _NO_BREAK_SPACES
                shown[i] = not ch.isspace()
            continue
        regionals = 0
        if kind == "ref":
            shown[start] = not unescape(text[start:end]).isspace()
        elif kind == "start":
            stack = (*stack, (text[start:end], name))
        elif kind == "end":
            names = [open_name for _, open_name in stack]
            if name in names:  # closes it and whatever was left open inside it
                stack = stack[:len(names) - 1 - names[::-1].index(name)]
    cut[n], open_at[n] = 2, stack
    visible = [0] * (n + 1)
    for i in range(n):
        visible[i + 1] = visible[i] + shown[i]
    return _Layout(text, units, cut, space, visible, open_at)


def _cut_at_space(layout: _Layout, start: int, far: int, limit: int, line: bool) -> tuple[int, int] | None:
    """The last run of whitespace that ends a non-blank part within the limit (with `line`:
    only a run holding a line break), as (end of the part, start of the next)."""
    text, n = layout.text, len(layout.text)
    i = min(far, n - 1)
    while i > start:
        if not layout.space[i]:
            i -= 1
            continue
        a = i
        while a > start and layout.space[a - 1]:
            a -= 1
        if layout.visible[a] == layout.visible[start]:
            return None  # nothing visible before this run, nor before any earlier one
        b = i
        while b < n and layout.space[b]:
            b += 1
        b = text.rfind("\n", a, b) + 1 or b  # the next line keeps its indentation
        if ((not line or "\n" in text[a:b]) and layout.cut[a] == 2 and (b == n or layout.cut[b] == 2)
                and layout.cost(start, a) <= limit):
            return a, b
        i = a - 1
    return None


def _next_cut(layout: _Layout, start: int, limit: int) -> tuple[int, int]:
    # the furthest end that fits, before closing tags are counted
    far = bisect_right(layout.units, limit - utf16_length(layout.opening(start)) + layout.units[start]) - 1
    for line in (True, False):
        found = _cut_at_space(layout, start, far, limit, line)
        if found:
            return found
    for need_visible, level in ((True, 2), (True, 1), (False, 2), (False, 1)):
        for end in range(far, start, -1):
            if (layout.cut[end] >= level and (layout.visible[end] > layout.visible[start] or not need_visible)
                    and layout.cost(start, end) <= limit):
                return end, end
    raise ValueError(f"a limit of {limit} leaves no room for text at position {start}")


def _spans(layout: _Layout, limit: int) -> list[tuple[int, int]]:
    text, n = layout.text, len(layout.text)
    start = 0
    while start < n and layout.space[start]:  # blank lines before the first line go
        start += 1
    start = text.rfind("\n", 0, start) + 1
    spans = []
    while start < n:
        if layout.cost(start, n) <= limit:
            spans.append((start, n))
            break
        end, start_next = _next_cut(layout, start, limit)
        spans.append((start, end))
        start = start_next
    return spans


def _check_limit(limit: int) -> None:
    if limit < 2:
        raise ValueError("the limit must leave room for one emoji (2 UTF-16 units)")


def split_spans(text: str, limit: int = MESSAGE_LIMIT) -> list[tuple[int, int]]:
    """Where `split_message` cuts: the parts are text[start:end] for these (start, end), in order.
    What lies outside them is whitespace, as `split_message` describes."""
    _check_limit(limit)
    if not text:
        return []
    if utf16_length(text) <= limit:
        return [(0, len(text))]
    return _spans(_layout(text, [(0, len(text), "data", "")]), limit)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Splits `text` into messages of at most `limit` UTF-16 units, none empty, in order.

    A text within the limit comes back unchanged as [text]; an empty text gives []. Otherwise
    each cut is made, in this order of preference, at the last line break that fits, at the
    last whitespace that fits, or else hard at the limit, but not inside a character sequence
    that reads as one (a letter and its combining marks, ZWJ/variation selector/skin tone
    sequences, flags) unless it alone is longer than the limit. A cut at whitespace drops the
    whole run of whitespace there, except that the indentation after its last line break
    stays with the next part; a hard cut drops nothing. Blank lines before the first line are
    dropped as well (Telegram would strip them anyway). So with gaps g₀…gₖ that are empty or
    whitespace: text == g₀ + parts[0] + g₁ + parts[1] + … + parts[-1] + gₖ, and a text over
    the limit that holds only blank lines gives []. `split_spans` gives the exact positions.
    A part is blank only where the text has a run of whitespace longer than the limit.
    Raises ValueError for a limit below 2, which could not hold an emoji."""
    return [text[start:end] for start, end in split_spans(text, limit)]


class _Tokenizer(HTMLParser):
    """Where each tag, entity and piece of text starts, so that a cut never falls inside one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.marks: list[tuple[tuple[int, int], str, str]] = []

    def _mark(self, kind: str, name: str = "") -> None:
        self.marks.append((self.getpos(), kind, name))  # the position where this token starts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark("start", tag)

    def handle_endtag(self, tag: str) -> None:
        self._mark("end", tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._mark("other")

    def handle_data(self, data: str) -> None:
        self._mark("data")

    def handle_entityref(self, name: str) -> None:
        self._mark("ref")

    def handle_charref(self, name: str) -> None:
        self._mark("ref")

    def handle_comment(self, data: str) -> None:
        self._mark("other")

    def handle_decl(self, decl: str) -> None:
        self._mark("other")

    def handle_pi(self, data: str) -> None:
        self._mark("other")

    def unknown_decl(self, data: str) -> None:
        self._mark("other")


def _html_tokens(text: str) -> list[Token]:
    parser = _Tokenizer()
    parser.feed(text)
    parser.close()
    line_starts = [0, *(i + 1 for i, ch in enumerate(text) if ch == "\n")]
    starts = [line_starts[line - 1] + column for (line, column), _, _ in parser.marks]
    ends = [*starts[1:], len(text)]
    tokens = [(start, end, kind, name) for start, end, (_, kind, name) in zip(starts, ends, parser.marks, strict=True)]
    if not tokens or tokens[0][0] > 0:
        tokens.insert(0, (0, starts[0] if starts else len(text), "data", ""))
    return tokens


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`split_message` for a message sent with parse_mode HTML: the same cuts and the same
    rule for what is dropped, but never inside a tag or an entity such as `&amp;`, and each
    part is well-formed on its own: the elements open at a cut are closed at the end of the
    part and reopened, with the same start tags as written (attributes included), at the start
    of the next. The limit applies to each part's raw HTML in UTF-16 units, reopened and
    closing tags included: stricter than Telegram, which counts the text after parsing, and so
    always accepted. A text within the limit comes back unchanged. Raises ValueError when the
    reopened tags leave no room for text (a limit below 2, or deep nesting with long links)."""
    _check_limit(limit)
    if not text:
        return []
    if utf16_length(text) <= limit:
        return [text]
    layout = _layout(text, _html_tokens(text))
    return [layout.opening(start) + text[start:end] + layout.closing(end) for start, end in _spans(layout, limit)]


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str, int]] = []  # open <a>: href, where its text starts in `out`

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.out)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            self.end_link()

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def end_link(self) -> None:
        href, start = self.links.pop()
        if href and href != "".join(self.out[start:]).strip():
            self.out.append(f" ({href})")


def plain_text(html_text: str) -> str:
    """The visible text of an HTML message: tags removed, entities unescaped, a link's href in
    parentheses after its text unless the text is the href. The fallback for when Telegram
    refuses the HTML; never longer than the HTML, so a part of `split_html` still fits."""
    parser = _VisibleText()
    parser.feed(html_text)
    parser.close()
    while parser.links:  # a link left open
        parser.end_link()
    return "".join(parser.out)


def one_line(text: str, limit: int) -> str:
    """A newcomer's text for one line of a transcript that advisors read line by line.

    Every line break (\\n, \\r\\n, \\r, \\v, \\f, \\x1c–\\x1e, \\x85, \\u2028, \\u2029: whatever
    str.splitlines breaks at) becomes a visible " ⏎ " (a trailing one is dropped), and bidi
    controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) are removed, so that the
    text can neither start a line of its own that looks like Lotse's ("🤖 …") nor visually
    reorder the line. Longer than `limit` characters (Python characters, the marks counted), it
    is cut to `limit` - 1, not inside a character sequence that reads as one where avoidable,
    and ends with "…". Raises ValueError for a limit below 1."""
    if limit < 1:
        raise ValueError("the limit must leave room for at least '…'")
    flat = LINE_BREAK_MARK.join(text.translate(_BIDI_CONTROLS).splitlines())
    if len(flat) <= limit:
        return flat
    layout = _layout(flat, [(0, len(flat), "data", "")])
    end = limit - 1
    while end > 0 and layout.cut[end] < 2:
        end -= 1
    return (flat[:end or limit - 1]).rstrip() + "…"
