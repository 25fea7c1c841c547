"""Undo common obfuscation before a detector reads a window: leetspeak inside words and spaced-out letters.

Offsets are never taken from the normalised text (findings point at sentences of the draft itself), so the
normaliser may change lengths.
"""

from __future__ import annotations

import re

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"})
_TOKEN = re.compile(r"[A-Za-z0-9@$!]+")
# Leet characters between letters ("sh1t", "b0ll0cks") or a leading @/$ ("@rse"): not "covid19", "B69", "10am".
_LEET_WORD = re.compile(r"^[@$]?[a-z]+(?:[013457@$!]+[a-z]+)*$", re.I)
# Four or more single letters separated by spaces, dots or dashes ("f u c k", "s.h.i.t").
_SPACED = re.compile(r"\b(?:[a-zA-Z][ .\-_]){3,}[a-zA-Z]\b")


def normalise(text: str) -> str:
    """Text with leetspeak words and spaced-out letters restored (masked letters like f*** are left as they are)."""
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_]", "", m.group(0)), text)
    return _TOKEN.sub(lambda m: _unleet(m.group(0)), text)


def _unleet(word: str) -> str:
    """"sh1t", "b0ll0cks", "@rse" -> letters; postcodes, plates, times, numbers and a final "!" stay as they are."""
    core = word.rstrip("!")
    if core.isalpha() or not _LEET_WORD.match(core):
        return word
    return core.translate(_LEET) + word[len(core):]
