"""The terminal chat (make run without Telegram) shows answers as readable text."""

from devtools.terminal import as_terminal_text


def test_telegram_html_becomes_plain_text_with_the_escaped_characters_restored():
    html = "<b>دائرة الأجانب (Ausländerbehörde)</b>\n<i>Termine &amp; Fragen</i>\n☎️ +49 521 51-0 &lt;Zentrale&gt;"
    assert as_terminal_text(html) == "دائرة الأجانب (Ausländerbehörde)\nTermine & Fragen\n☎️ +49 521 51-0 <Zentrale>"
