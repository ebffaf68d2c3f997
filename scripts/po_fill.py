"""Fill Swedish msgstrs in journey/locale/sv/LC_MESSAGES/messages.po from a Python file of translations.

    python scripts/po_fill.py translations.py [more.py ...]

Each file defines ``TR = {key: translation}``: the key is the msgid or an unambiguous start of it;
a plural translation is a tuple (singular, plural). For a help text with an ``Example:`` block,
the translation may stop before the block: the block (commands, never translated) is copied
from the msgid under the heading "Exempel:". Then run ``make messages`` to compile.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "journey/locale/sv/LC_MESSAGES/messages.po"
EXAMPLE = "\b\nExample:\n"


def main(paths: list[str]) -> int:
    with PO.open("rb") as f:
        catalog = read_po(f, locale="sv")
    catalog.project, catalog.version = "journey", "0.1.0"
    catalog.header_comment = "# Swedish translations for journey: the command line (see docs/translations.md)."
    catalog.last_translator = catalog.language_team = "journey maintainers"
    catalog.msgid_bugs_address = ""
    ids = [m.id for m in catalog if m.id]
    problems = 0
    for path in paths:
        for key, text in runpy.run_path(path)["TR"].items():
            matches = [i for i in ids if (i[0] if isinstance(i, tuple) else i) == key]
            matches = matches or [i for i in ids if (i[0] if isinstance(i, tuple) else i).startswith(key)]
            if len(matches) != 1:
                print(f"{path}: {len(matches)} msgids match {key[:60]!r}")
                problems += 1
                continue
            msgid = matches[0]
            single = msgid[0] if isinstance(msgid, tuple) else msgid
            if isinstance(text, str) and EXAMPLE in single and "Exempel:" not in text:
                text = text.rstrip("\n") + "\n\n" + "\b\nExempel:\n" + single.split(EXAMPLE, 1)[1]
            catalog[msgid].string = text
    with PO.open("wb") as f:
        write_po(f, catalog)
    missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    for m in missing:
        print("untranslated:", repr(m)[:100])
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
