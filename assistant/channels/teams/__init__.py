"""Microsoft Teams: the assistant as a Teams bot on the Microsoft 365 Agents SDK (``assistant teams``).

``server`` (the command and the aiohttp app) · ``edge`` (what a request must be before the SDK parses it) ·
``bot`` (routing activities to the services) · ``reporting`` (the incident conversation in a 1:1 chat) ·
``cards`` (Adaptive Cards: pure functions, data in, JSON out) · ``files`` (evidence downloads) · ``sender``
(the incidents outbox ``Sender``) · ``package`` (the Teams app package). No domain logic lives here.
"""
