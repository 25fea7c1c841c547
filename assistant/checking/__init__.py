"""The draft-post checker: rule catalogue (rules.yml) + pattern recognisers + a trained classifier
(classifier.py, trained by ``assistant train checker``) + optional LLM judge, with cited guidance and a safer rewrite.

Entry point: ``assistant.checking.service.build_checker(settings, knowledge).check(draft, council=...)``.
"""
