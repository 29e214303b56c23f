"""(being written) What an event page shows after the event: attendance, materials, feedback."""


def followup_context(event, viewer) -> dict:
    return {}
