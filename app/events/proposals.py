"""(being written) Session proposals."""


def attach_event(proposal, event, by) -> None:
    raise NotImplementedError
