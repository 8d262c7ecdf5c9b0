"""A character cursor over a filter or order-by string: the hand-written tokenizer.

Every read is a single forward scan (no regular expressions), so parsing is linear in the length
of the input. Errors are `InvalidInputError`s quoting the whole input, the 0-based position and
what was expected there.
"""

from __future__ import annotations

from typing import NoReturn

from slipstream._core.errors import InvalidInputError

QUOTES = "`\"'"
OPERATOR_CHARS = "=!<>"
BARE_KEY_EXTRA = "_.-/"


def is_word_char(char: str) -> bool:
    """Letters, digits and underscore: the characters of an entity name or keyword."""
    return char.isalnum() or char == "_"


def is_bare_key_char(char: str) -> bool:
    """Characters a key may use without quoting (`metrics.train/loss-1.x`)."""
    return char.isalnum() or char in BARE_KEY_EXTRA


class Cursor:
    """A position in `text`, with the reads the filter and order-by parsers need."""

    def __init__(self, text: str, what: str) -> None:
        self.text = text
        self.what = what
        self.pos = 0

    # -- basics ---------------------------------------------------------------------------------
    def fail(self, reason: str) -> NoReturn:
        shown = self.text if len(self.text) <= 200 else self.text[:200] + "..."
        raise InvalidInputError(f"Invalid {self.what} {shown!r}: {reason}")

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else ""

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        self.pos = pos

    def found(self) -> str:
        """A short description of what stands at the cursor, for error messages."""
        if self.at_end():
            return "the end of the input"
        start = self.pos
        end = start
        while end < len(self.text) and end - start < 20 and not self.text[end].isspace():
            end += 1
        return repr(self.text[start:max(end, start + 1)])

    # -- tokens ---------------------------------------------------------------------------------
    def read_word(self) -> str:
        """Letters, digits and underscores (possibly none)."""
        start = pos = self.pos
        text = self.text
        while pos < len(text) and is_word_char(text[pos]):
            pos += 1
        self.pos = pos
        return text[start:pos]

    def read_bare_key(self) -> str:
        start = pos = self.pos
        text = self.text
        while pos < len(text) and is_bare_key_char(text[pos]):
            pos += 1
        self.pos = pos
        return text[start:pos]

    def read_symbols(self) -> str:
        """A run of comparison symbols (`=`, `!=`, `>>` ...), read whole so typos show whole."""
        start = pos = self.pos
        text = self.text
        while pos < len(text) and text[pos] in OPERATOR_CHARS:
            pos += 1
        self.pos = pos
        return text[start:pos]

    def read_quoted(self, kind: str) -> str:
        """A string in ', \" or ` quotes; a doubled quote inside stands for one quote."""
        quote = self.peek()
        start = self.pos
        text = self.text
        pos = start + 1
        parts: list[str] = []
        while True:
            end = text.find(quote, pos)
            if end < 0:
                self.pos = start
                self.fail(f"unterminated {kind} starting at position {start}; "
                          f"close it with {quote}")
            parts.append(text[pos:end])
            if text.startswith(quote, end + 1):
                parts.append(quote)
                pos = end + 2
                continue
            self.pos = end + 1
            return "".join(parts)

    def read_number(self) -> str | None:
        """A number (`1`, `-0.5`, `.5`, `1e-3`, `+2E+10`) or None, leaving the cursor put."""
        text, start = self.text, self.pos
        pos = start
        if pos < len(text) and text[pos] in "+-":
            pos += 1
        digits = 0
        while pos < len(text) and text[pos].isdigit() and text[pos].isascii():
            pos, digits = pos + 1, digits + 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            while pos < len(text) and text[pos].isdigit() and text[pos].isascii():
                pos, digits = pos + 1, digits + 1
        if digits == 0:
            return None
        if pos < len(text) and text[pos] in "eE":
            exp = pos + 1
            if exp < len(text) and text[exp] in "+-":
                exp += 1
            exp_digits = exp
            while exp < len(text) and text[exp].isdigit() and text[exp].isascii():
                exp += 1
            if exp > exp_digits:
                pos = exp
        if pos < len(text) and (is_word_char(text[pos]) or text[pos] == "."):
            return None
        self.pos = pos
        return text[start:pos]
