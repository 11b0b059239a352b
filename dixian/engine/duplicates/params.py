"""The duplicate check's parameters (moved to the policy layer when it lands): each a record
of value, unit, valid range, source and meaning."""

PARAMS = {
    "name_similarity_min": {
        "value": 65, "unit": "percent (rapidfuzz ratio, 0-100)", "range": (50, 100),
        "source": "[I] the HOPE side-by-side adjudication with similarity scores "
                  "(domain-2026.md §6 theme 2); set so that one changed character in a "
                  "three-character name (王小明/王晓明: 67) is shown to a person, one changed "
                  "character in a two-character name (50) is not",
        "meaning": "two persons of one village born on the same day are a possible "
                   "duplicate when their names are at least this similar",
    },
}


def value(name: str):
    return PARAMS[name]["value"]
