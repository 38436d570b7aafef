"""The job kinds: a name, the function that does the work, and how its result is shown."""

from dataclasses import dataclass

KINDS = {}


@dataclass(frozen=True)
class Kind:
    name: str
    function: object
    label: str
    # Shown on the status page once the job is done, with `job` in its context.
    template: str
    # Run the function in one transaction: a failure writes nothing.
    atomic: bool
    # The URL name of the page the job was started from, linked from its status page.
    back: str


def register(name, *, label, template="jobs/_result.html", atomic=True, back=""):
    """Declares `function(job, **params)` as the job kind `name`."""

    def decorator(function):
        if name in KINDS and KINDS[name].function is not function:
            raise ValueError(f"Job kind {name!r} is registered twice.")
        KINDS[name] = Kind(name, function, label, template, atomic, back)
        return function

    return decorator


def get(name):
    return KINDS[name]
