"""The draft-post checker: rule catalogue (rules.yml) + pattern recognisers + a gated semantic classifier
(examples.yml) + optional LLM judge, with cited guidance paragraphs and a safer rewrite.

Entry point: ``assistant.checking.service.build_checker(settings, knowledge).check(draft, council=...)``.
"""
