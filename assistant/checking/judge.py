"""Optional LLM judge (placeholder until implemented)."""


def build_judge(settings, catalogue=None):
    """No judge unless an LLM provider is configured."""
    return None
